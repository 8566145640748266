"""Second reviewers for inspectors flagged for recalibration: the QA manager's choice of a
share of the inspector's reviews, in force while the inspector stays flagged.

While the choice is active (a share above 0 and the inspector still flagged), every review the
inspector submits counts, and whenever the seconded ones fall behind the share the review goes
to a second inspector (the least loaded, not of the call's team) as a re-evaluation: the first
evaluation stays readable as version 1, the second reviewer's becomes the version in force.
The share is kept exactly (with 0.5, every second review), not left to chance.
"""

import math
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calibration import results
from services.calibration import service as sessions
from services.calibration.agreement.sessions import WINDOW_DAYS
from services.calibration.tables import SecondReview
from services.calls.service import Call
from services.db import aware, utcnow
from services.errors import InvalidInput, NotFound
from services.i18n import N_, _
from services.people import service as people_service
from services.people.service import Principal, Role, User
from services.qa.evaluations.service import Evaluation
from services.qa.reviews import assignment, hooks, reevaluation
from services.qa.reviews.service import Review


def flagged(*, db_session: Session, as_of: datetime | None = None) -> set[str]:
    """The inspectors flagged for recalibration now (over the default 90-day window)."""
    found = results.report(
        db_session=db_session,
        as_of=as_of or utcnow(),
        days=WINDOW_DAYS,
        team=None,
    )
    return {name for name, row in found["inspectors"].items() if row["flagged"]}


def choose_second_review(
    *, db_session: Session, principal: Principal, username: str, share: float, note: str
) -> SecondReview:
    """The manager's choice: ``share`` of the inspector's reviews get a second reviewer while
    they stay flagged for recalibration (0 withdraws it)."""
    sessions.check_manager(principal)
    user = people_service.get_by_username(db_session=db_session, username=username)
    if user is None or user.role != Role.INSPECTOR:
        raise NotFound(_("no inspector {username!r}", username=username))
    row = db_session.get(SecondReview, user.id) or SecondReview(inspector_id=user.id)
    row.share, row.note, row.chosen_by, row.chosen_at = share, note, principal.username, utcnow()
    row.submitted = row.seconded = 0  # a new choice counts afresh
    db_session.add(row)
    db_session.flush()
    return row


def second_reviews(*, db_session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every choice, with whether it applies now: the inspector is still flagged."""
    sessions.check_manager(principal)
    now_flagged = flagged(db_session=db_session)
    rows = db_session.scalars(select(SecondReview).order_by(SecondReview.inspector_id))
    out = []
    for row in rows:
        user = db_session.get(User, row.inspector_id)
        assert user is not None  # a choice goes with its inspector (ON DELETE CASCADE)
        out.append(
            {
                "inspector": user.username,
                "share": row.share,
                "note": row.note,
                "chosen_by": row.chosen_by,
                "chosen_at": aware(row.chosen_at),
                "flagged": user.username in now_flagged,
                "active": row.share > 0 and user.username in now_flagged,
            }
        )
    return out


def give_second_review(
    db_session: Session, review: Review, evaluation: Evaluation, by: Principal
) -> Review | None:
    """After an inspector first submits a review: if the manager chose second reviews for them
    and they are still flagged, the review goes to a second inspector when the seconded share
    has fallen behind the chosen one. Returns the reopened review, or None."""
    row = db_session.get(SecondReview, review.inspector_id)
    if row is None or row.share <= 0:
        return None
    first = db_session.get(User, review.inspector_id)
    assert first is not None  # a review goes with its inspector (RESTRICT)
    if first.username not in flagged(db_session=db_session):
        return None
    row.submitted += 1
    if row.seconded >= math.floor(row.submitted * row.share + 1e-9):
        db_session.flush()
        return None
    call = db_session.get(Call, review.call_id)
    assert call is not None  # reviews go with their call (CASCADE)
    try:
        second = assignment.second_reviewer(db_session=db_session, call=call, first=first.id)
    except InvalidInput:
        # Nobody else may take the call now: the submission stands, and the share is caught
        # up on a later review (``seconded`` stays behind).
        db_session.flush()
        return None
    manager = people_service.get_by_username(db_session=db_session, username=row.chosen_by)
    chooser = (
        people_service.principal(db_session=db_session, user_id=manager.id, via="secret")
        if manager is not None
        else None
    )
    reopened = reevaluation.request(
        db_session=db_session,
        row=evaluation,
        principal=chooser or by,
        reason=N_("second review while {inspector} is recalibrated", inspector=first.username),
        inspector=second.username,
    )
    row.seconded += 1
    db_session.flush()
    return reopened


def _on_submit(db_session: Session, review: Review, evaluation: Evaluation, by: Principal) -> None:
    give_second_review(db_session, review, evaluation, by)


hooks.on_submit(_on_submit)
