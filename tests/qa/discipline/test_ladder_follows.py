"""The ladder follows evaluations and disputes through their hook, in any process that uses them.

Evaluations and disputes no longer import discipline (that was a circle); a process that imports
only them must still rebuild the ladder, so the registration may not depend on the HTTP app.
"""

import subprocess
import sys

PROBE = """
from services.qa.disputes import service
from services.qa.evaluations import hooks
print([f"{h.__module__}.{h.__name__}" for h in hooks._after_change])
"""


def test_importing_disputes_alone_registers_the_ladder() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['services.qa.discipline.service._rebuild']"
