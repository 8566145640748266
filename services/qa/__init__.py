"""Quality assurance: sampling, rotation, reviews, evaluations, disputes and discipline.

Two lower layers hear from qa through hooks that qa fills on import: the discipline ladder
follows every change to evaluations and disputes (services/qa/evaluations/hooks.py), and calls
learn which calls are under review (services/calls/hooks.py). Importing any part of qa brings
both along, so no process (API, worker, CLI) can use qa without them.
"""

from services.qa.discipline import service as _discipline  # noqa: F401  (registers its hook)
from services.qa.reviews import service as _reviews  # noqa: F401  (its tables register a hook)
