"""Calls learn from QA which calls are under review, through services/calls/hooks.py.

calls no longer imports reviews (that was a circle); a process that uses QA must still see the
source registered, or inspectors would lose their assigned calls and sampling would pick calls
QA has already.
"""

import subprocess
import sys

PROBE = """
from services.qa.sampling import service
from services.calls import hooks
print([f"{s.__module__}.{s.__name__}" for s in hooks._sources])
print(hooks.under_review(7))
"""


def test_importing_sampling_alone_registers_the_reviews_source() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "['services.qa.reviews.tables._under_review']"
    assert "FROM reviews" in " ".join(out[1:]) and "inspector_id" in " ".join(out[1:])
