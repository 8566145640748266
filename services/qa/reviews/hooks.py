"""What happens once a review is first submitted, beyond its evaluation.

Calibration gives a share of a recalibrated inspector's reviews a second reviewer. It registers
here because it builds on the reviews: a call from qa to calibration would close a circle.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

from services.people.service import Principal
from services.qa.evaluations.service import Evaluation
from services.qa.reviews.tables import Review

SubmitHook = Callable[[Session, Review, Evaluation, Principal], None]
_after_submit: list[SubmitHook] = []


def on_submit(hook: SubmitHook) -> None:
    """Calls ``hook`` after each first submission of a review (not a re-evaluation's)."""
    if hook not in _after_submit:
        _after_submit.append(hook)


def submitted(
    *, db_session: Session, review: Review, evaluation: Evaluation, principal: Principal
) -> None:
    """Runs the registered hooks for a review just submitted for the first time."""
    for hook in _after_submit:
        hook(db_session, review, evaluation, principal)
