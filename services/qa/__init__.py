"""Quality assurance: sampling, rotation, reviews, evaluations, disputes and discipline.

The discipline ladder follows every change to evaluations and disputes through
services/qa/evaluations/hooks.py; it registers on import, so importing any part of qa brings it
along and no process (API, worker, CLI) can release or correct an evaluation without it.
"""

from services.qa.discipline import service as _discipline  # noqa: F401  (registers its hook)
