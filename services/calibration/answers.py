"""Blind answers: each participant scores each call on the review form, then submits; the
facilitator records the agreed answer after the reveal."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calibration import service as sessions
from services.calibration.tables import (
    CalibrationAnswer,
    CalibrationCall,
    CalibrationSession,
    Participant,
)
from services.db import unique, utcnow
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.i18n import N_, _
from services.people.service import Principal
from services.qa.evaluations import content
from services.qa.reviews import service as reviews


def answer_of(
    *, db_session: Session, session: CalibrationSession, call: CalibrationCall, user_id: int
) -> CalibrationAnswer | None:
    """A participant's answer for one call, if they saved one."""
    return db_session.scalar(
        select(CalibrationAnswer).where(
            CalibrationAnswer.session_id == session.id,
            CalibrationAnswer.call_id == call.call_id,
            CalibrationAnswer.user_id == user_id,
        )
    )


PARTICIPANT_ACTIONS = {
    "score its calls": N_("score its calls"),
    "submit answers": N_("submit answers"),
}


def _answering(
    db_session: Session, session: CalibrationSession, principal: Principal, action: str
) -> Participant:
    """The principal's place in ``session`` while their answers may still change."""
    place = sessions.participant(db_session=db_session, session=session, user_id=principal.user_id)
    if place is None:
        verb = PARTICIPANT_ACTIONS.get(action, action)
        raise Forbidden(_("only the session's participants {action}", action=verb))
    if place.submitted_at is not None or sessions.is_revealed(session):
        raise Conflict(
            _("your answers to calibration session {session_id} are final", session_id=session.id)
        )
    return place


def save_answer(
    *,
    db_session: Session,
    session: CalibrationSession,
    call: CalibrationCall,
    principal: Principal,
    hits: dict[int, dict[str, Any]],
    items: dict[str, dict[str, Any]],
    comment: str | None,
) -> CalibrationAnswer:
    """Merges the participant's verdicts and item scores into their answer for one call."""
    _answering(db_session, session, principal, "score its calls")
    known = {h["hit_id"] for item in call.items for h in item["hits"]}
    unknown = sorted(set(hits) - known)
    if unknown:
        raise InvalidInput(_("hits {unknown} are not on this call's form", unknown=unknown))
    row = answer_of(db_session=db_session, session=session, call=call, user_id=principal.user_id)
    old = row.draft if row is not None else {}
    draft = {
        "hits": {**old.get("hits", {}), **{str(k): v for k, v in hits.items()}},
        "items": {**old.get("items", {}), **items},
        "comment": old.get("comment", "") if comment is None else comment,
    }
    scored = score_draft(call, draft, by=principal.username)
    if row is None:
        row = CalibrationAnswer(
            session_id=session.id, call_id=call.call_id, user_id=principal.user_id
        )
        with unique(db_session, "this answer was saved at the same time; send it again"):
            _fill(row, draft, scored, call)
            db_session.add(row)
    else:
        _fill(row, draft, scored, call)
    db_session.flush()
    return row


def score_draft(call: CalibrationCall, draft: dict[str, Any], *, by: str) -> list[content.Item]:
    """The call's form as scored by ``draft``, exactly as a review would score it."""
    try:
        return reviews.preview(call.items, draft, by=by)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _fill(
    row: CalibrationAnswer, draft: dict[str, Any], items: list[content.Item], call: CalibrationCall
) -> None:
    result = content.totals(items, call.weights)
    row.draft, row.items, row.missing = draft, items, content.problems(call.items, draft)
    row.total, row.maximum, row.updated_at = result["total"], result["maximum"], utcnow()


def submit(
    *, db_session: Session, session: CalibrationSession, principal: Principal
) -> Participant:
    """Makes the participant's answers final; the last submission reveals the session."""
    place = _answering(db_session, session, principal, "submit answers")
    lacking = []
    for call in sessions.calls(db_session=db_session, session=session):
        row = answer_of(
            db_session=db_session, session=session, call=call, user_id=principal.user_id
        )
        if row is None:
            lacking.append(f"call {call.position} has no answer")
        elif row.missing:
            lacking += [f"call {call.position}: {m}" for m in row.missing]
    if lacking:
        raise InvalidInput("the answers are not complete: " + "; ".join(lacking))
    place.submitted_at = utcnow()
    db_session.flush()
    if all(
        p.submitted_at is not None
        for p in sessions.participants(db_session=db_session, session=session)
    ):
        session.revealed_at = place.submitted_at
    return place


def record_agreed(
    *,
    db_session: Session,
    session: CalibrationSession,
    call: CalibrationCall,
    principal: Principal,
    hits: dict[int, dict[str, Any]],
    items: dict[str, dict[str, Any]],
    notes: str,
) -> CalibrationCall:
    """The facilitator's agreed answer and notes for one call, after the reveal."""
    sessions.check_manager(principal)
    if not sessions.is_revealed(session):
        raise Conflict(
            _("calibration session {session_id} is not revealed yet", session_id=session.id)
        )
    draft = {"hits": {str(k): v for k, v in hits.items()}, "items": items}
    scored = score_draft(call, draft, by=principal.username)
    missing = content.problems(call.items, draft)
    if missing:
        raise InvalidInput("the agreed answer is not complete: " + "; ".join(missing))
    result = content.totals(scored, call.weights)
    call.agreed = {
        "draft": draft,  # what the facilitator's form starts from when it is edited again
        "items": scored,
        "total": result["total"],
        "maximum": result["maximum"],
        "notes": notes,
        "by": principal.username,
        "at": utcnow().isoformat(),
    }
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="calibration.agreed",
        call_id=call.call_id,
        detail={"session_id": session.id, "position": call.position},
    )
    return call


def answer_for(
    *,
    db_session: Session,
    session: CalibrationSession,
    call: CalibrationCall,
    username: str,
    principal: Principal,
) -> CalibrationAnswer:
    """A participant's answer; another's is NotFound to a participant until the reveal."""
    if username != principal.username:
        sessions.check_revealed(session, principal)
    place = db_session.scalar(
        select(Participant).where(
            Participant.session_id == session.id, Participant.username == username
        )
    )
    row = (
        answer_of(db_session=db_session, session=session, call=call, user_id=place.user_id)
        if place is not None
        else None
    )
    if row is None:
        raise NotFound(
            _(
                "{username!r} has no answer for call {position}",
                username=username,
                position=call.position,
            )
        )
    return row


def agreed_draft(
    *, db_session: Session, session: CalibrationSession, call: CalibrationCall
) -> dict[str, Any]:
    """What the facilitator's form for one call starts from: the agreed answer recorded, else
    the expert's (the discussion usually only moves it), else nothing."""
    if call.agreed is not None and "draft" in call.agreed:
        return dict(call.agreed["draft"])
    if session.expert_id is None:
        return {}
    row = answer_of(db_session=db_session, session=session, call=call, user_id=session.expert_id)
    return dict(row.draft) if row is not None else {}
