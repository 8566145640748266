"""Re-evaluation: the one way a call is reviewed a second time.

A call has one evaluation in force. A QA manager who wants it looked at again reopens its review
for an inspector, with a reason; submitting it makes the next version of the same evaluation,
so the earlier versions stay readable and only the new one counts. Open disputes follow the new
version where the item still lost points, and are closed, with the reason, where it no longer
did.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calls.service import Call
from services.db import unique, utcnow
from services.errors import Conflict, InvalidInput
from services.i18n import N_, Message, _, stored
from services.notifications import service as notify
from services.people.service import Principal, Role, User
from services.qa.discipline import service as discipline
from services.qa.disputes import service as disputes
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.service import Evaluation
from services.qa.reviews.tables import Review, ReviewStatus


def _inspector(db_session: Session, row: Evaluation, call: Call, username: str | None) -> User:
    """The named inspector, else the one who wrote the evaluation; active, not of the call's
    team."""
    if username is None:
        user = db_session.get(User, row.inspector_id)
    else:
        user = db_session.scalar(select(User).where(User.username == username))
    if user is None or user.role != Role.INSPECTOR or not user.active:
        named = username or (user.username if user else str(row.inspector_id))
        raise InvalidInput(_("{username} is not an active inspector", username=named))
    if call.team is not None and user.team == call.team:
        raise InvalidInput(
            _("{username} is of the call's team and may not review it", username=user.username)
        )
    return user


def request(
    *,
    db_session: Session,
    row: Evaluation,
    principal: Principal,
    reason: str | Message,
    inspector: str | None,
) -> Review:
    """Reopens the evaluation's review for an inspector (default: its author), with a fresh
    draft; the version in force counts until the re-evaluation is submitted."""
    if row.superseded_by is not None:
        raise Conflict(
            _(
                "evaluation {evaluation_id} is superseded by {newer}; re-evaluate the version in "
                "force",
                evaluation_id=row.id,
                newer=row.superseded_by,
            )
        )
    review = db_session.get(Review, row.review_id)
    call = db_session.get(Call, row.call_id)
    assert review is not None and call is not None  # evaluations go with both (CASCADE)
    if review.status == ReviewStatus.OPEN:
        raise Conflict(
            _(
                "evaluation {evaluation_id} is already being re-evaluated (review {review_id})",
                evaluation_id=row.id,
                review_id=review.id,
            )
        )
    user = _inspector(db_session, row, call, inspector)
    clash = _("call {call_id} is already in a review queue", call_id=call.id)
    with unique(db_session, clash):
        review.status, review.draft, review.submitted_at = ReviewStatus.OPEN, {}, None
        review.inspector_id, review.assigned_at, review.priority = user.id, utcnow(), 0
        # Kept as a Message: the inspector reads "re-evaluation" in their language.
        review.reason = stored(N_("re-evaluation: {reason}", reason=reason))
    notify.add(
        db_session=db_session,
        kind=notify.REVIEW_ASSIGNED,
        user_ids=[user.id],
        subject={"review_ids": [review.id]},
        message=N_(
            "Call {call_id} was sent back to you for re-evaluation: {reason}",
            call_id=call.id,
            reason=reason,
        ),
    )
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="evaluation.re_evaluation_requested",
        call_id=call.id,
        detail={
            "evaluation_id": row.id,
            "review_id": review.id,
            "inspector": user.username,
            "reason": reason,
        },
    )
    db_session.flush()
    return review


def settle(*, db_session: Session, previous: Evaluation, fresh: Evaluation, by: Principal) -> None:
    """After a re-evaluation is submitted: released if the version it replaces was, open
    disputes carried or closed, the agent's ladder rebuilt from the new version."""
    evaluations.follow_release(
        db_session=db_session, fresh=fresh, was_released=previous.released_at is not None, by=by
    )
    disputes.follow_new_version(db_session=db_session, fresh=fresh, by=by)
    discipline.recompute(db_session=db_session, agent_id=fresh.agent_id)
