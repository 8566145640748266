"""Calibration sessions: creation, blind scoring, the reveal and the facilitator's agreed answers.

Participants score each call on the same form as a review (the call's machine scorecard, hit
verdicts, manual items; services/qa/reviews and services/qa/evaluations compute it), but the
answers stay in calibration's own tables. Until the reveal a participant sees only their own
answers: everything else answers NotFound, as for an object they may not see (OWASP API1).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calibration.tables import (
    CalibrationCall,
    CalibrationSession,
    Mode,
    PackTolerance,
    Participant,
)
from services.db import aware, utcnow
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.i18n import _
from services.people import service as people_service
from services.people.service import Principal, Role, User
from services.qa.evaluations import content
from services.qa.reviews import service as reviews
from services.scoring import service as scoring_service
from services.scoring.service import CallScore
from services.speech import service as speech_service

MIN_CALLS, MAX_CALLS = 3, 5
DEFAULT_TOLERANCE = 0.10  # ±10 % of the scorecard's maximum, the usual industry figure


def is_revealed(session: CalibrationSession) -> bool:
    """Revealed by the manager, by the last submission, or by the deadline passing."""
    return session.revealed_at is not None or utcnow() >= aware(session.deadline)


def held_at(session: CalibrationSession) -> datetime:
    """When the session counts as held: its reveal, or its deadline."""
    return aware(session.revealed_at or session.deadline)


def get_or_raise(
    *, db_session: Session, session_id: int, principal: Principal
) -> CalibrationSession:
    """A session the principal manages or takes part in; NotFound for anyone else."""
    found = db_session.get(CalibrationSession, session_id)
    if found is None or not (
        principal.role in Role.MANAGERS
        or participant(db_session=db_session, session=found, user_id=principal.user_id)
    ):
        raise NotFound(_("calibration session {session_id} does not exist", session_id=session_id))
    return found


def get_all(*, db_session: Session, principal: Principal, limit: int) -> list[CalibrationSession]:
    """Sessions the principal manages or takes part in, newest first."""
    check_may_see(principal)
    query = select(CalibrationSession)
    if principal.role not in Role.MANAGERS:
        query = query.where(
            CalibrationSession.id.in_(
                select(Participant.session_id).where(Participant.user_id == principal.user_id)
            )
        )
    return list(db_session.scalars(query.order_by(CalibrationSession.id.desc()).limit(limit)))


def check_may_see(principal: Principal) -> None:
    """Agents, team leads and training leads see nothing of calibration."""
    if principal.role not in (*Role.MANAGERS, Role.INSPECTOR):
        raise Forbidden(_("calibration is for QA managers and inspectors"))


def check_manager(principal: Principal) -> None:
    """Only QA managers create, reveal and facilitate sessions."""
    if principal.role not in Role.MANAGERS:
        raise Forbidden(_("only a QA manager may do this"))


def participant(
    *, db_session: Session, session: CalibrationSession, user_id: int
) -> Participant | None:
    """The user's place in the session, if they take part."""
    return db_session.scalar(
        select(Participant).where(
            Participant.session_id == session.id, Participant.user_id == user_id
        )
    )


def participants(*, db_session: Session, session: CalibrationSession) -> list[Participant]:
    """Everyone who scores the session (the expert too), by username."""
    query = select(Participant).where(Participant.session_id == session.id)
    return list(db_session.scalars(query.order_by(Participant.username)))


def calls(*, db_session: Session, session: CalibrationSession) -> list[CalibrationCall]:
    """The session's calls in their order."""
    query = select(CalibrationCall).where(CalibrationCall.session_id == session.id)
    return list(db_session.scalars(query.order_by(CalibrationCall.position)))


def call_at(*, db_session: Session, session: CalibrationSession, position: int) -> CalibrationCall:
    """The session's call at ``position`` (1-based), or NotFound."""
    found = db_session.scalar(
        select(CalibrationCall).where(
            CalibrationCall.session_id == session.id, CalibrationCall.position == position
        )
    )
    if found is None:
        raise NotFound(
            _(
                "calibration session {session_id} has no call {position}",
                session_id=session.id,
                position=position,
            )
        )
    return found


def create(
    *,
    db_session: Session,
    principal: Principal,
    title: str,
    call_ids: Sequence[int],
    inspectors: Sequence[str],
    expert: str | None,
    deadline: datetime,
    team: str | None,
    tolerance: float | None,
) -> CalibrationSession:
    """A new session: its calls' forms frozen from their machine scores, its participants."""
    check_manager(principal)
    if not MIN_CALLS <= len(set(call_ids)) == len(call_ids) <= MAX_CALLS:
        raise InvalidInput(
            _(
                "a session has {MIN_CALLS} to {MAX_CALLS} different calls",
                MIN_CALLS=MIN_CALLS,
                MAX_CALLS=MAX_CALLS,
            )
        )
    if deadline.tzinfo is None or deadline <= utcnow():
        raise InvalidInput(_("the deadline must be in the future, with its time zone"))
    people = [_inspector(db_session, name) for name in dict.fromkeys(inspectors)]
    gold = _inspector(db_session, expert) if expert is not None else None
    if gold is not None and gold.id in {p.id for p in people}:
        raise InvalidInput(_("the expert {expert!r} cannot also be a participant", expert=expert))
    if len(people) < 2:
        raise InvalidInput(_("a session needs at least two inspectors"))
    forms = [_form(db_session, call_id) for call_id in call_ids]
    packs = {(score.pack, score.pack_version) for score, _ in forms}
    if len(packs) > 1:
        raise InvalidInput(
            _("the calls were scored with different scorecards: {packs}", packs=sorted(packs))
        )
    pack, version = packs.pop()
    row = CalibrationSession(
        title=title,
        pack=pack,
        pack_version=version,
        mode=Mode.EXPERT if gold is not None else Mode.CONSENSUS,
        expert_id=gold.id if gold is not None else None,
        team=team,
        tolerance=tolerance
        if tolerance is not None
        else pack_tolerance(db_session=db_session, pack=pack),
        deadline=deadline,
        created_by=principal.username,
    )
    db_session.add(row)
    db_session.flush()
    for position, (score, items) in enumerate(forms, start=1):
        db_session.add(
            CalibrationCall(
                session_id=row.id,
                call_id=score.call_id,
                position=position,
                items=items,
                weights=content.weights(score.sections),
            )
        )
    for user in [*people, *([gold] if gold is not None else [])]:
        db_session.add(Participant(session_id=row.id, user_id=user.id, username=user.username))
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="calibration.created",
        detail={"session_id": row.id, "calls": list(call_ids)},
    )
    return row


def _inspector(db_session: Session, username: str) -> User:
    user = people_service.get_by_username(db_session=db_session, username=username)
    if user is None or not user.active or user.role not in (Role.INSPECTOR, *Role.MANAGERS):
        raise InvalidInput(
            _("{username!r} is not an active inspector or QA manager", username=username)
        )
    return user


def _form(db_session: Session, call_id: int) -> tuple[CallScore, list[content.Item]]:
    score = scoring_service.latest_score(db_session=db_session, call_id=call_id)
    if score is None:
        raise InvalidInput(
            _("call {call_id} does not exist or has no machine score yet", call_id=call_id)
        )
    return score, reviews.machine_items(db_session=db_session, score=score)


def pack_tolerance(*, db_session: Session, pack: str) -> float:
    """The pack's calibration tolerance, or the default ±10 % of the maximum."""
    found = db_session.get(PackTolerance, pack)
    return found.tolerance if found is not None else DEFAULT_TOLERANCE


def set_pack_tolerance(
    *, db_session: Session, principal: Principal, pack: str, tolerance: float
) -> PackTolerance:
    """Sets the tolerance new sessions of the pack start with."""
    check_manager(principal)
    row = db_session.get(PackTolerance, pack) or PackTolerance(pack=pack)
    row.tolerance, row.set_by, row.set_at = tolerance, principal.username, utcnow()
    db_session.add(row)
    db_session.flush()
    return row


def reveal(
    *, db_session: Session, session: CalibrationSession, principal: Principal
) -> CalibrationSession:
    """The manager reveals the session before its deadline (someone could not take part)."""
    check_manager(principal)
    if is_revealed(session):
        raise Conflict(
            _("calibration session {session_id} is already revealed", session_id=session.id)
        )
    session.revealed_at = utcnow()
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="calibration.revealed",
        detail={"session_id": session.id},
    )
    return session


def check_revealed(session: CalibrationSession, principal: Principal) -> None:
    """NotFound for a participant before the reveal: others' answers and the gold are hidden."""
    if principal.role not in Role.MANAGERS and not is_revealed(session):
        raise NotFound(
            _("calibration session {session_id} is not revealed yet", session_id=session.id)
        )


def describe(*, db_session: Session, session: CalibrationSession) -> dict[str, Any]:
    """The session with its participants, its number of calls, its expert and whether revealed."""
    people = participants(db_session=db_session, session=session)
    expert = next((p.username for p in people if p.user_id == session.expert_id), None)
    return {
        **{c.key: getattr(session, c.key) for c in CalibrationSession.__table__.columns},
        "expert": expert,
        "revealed": is_revealed(session),
        "calls": len(calls(db_session=db_session, session=session)),
        "participants": people,
    }


def form(*, db_session: Session, call: CalibrationCall, principal: Principal) -> dict[str, Any]:
    """The call as a participant scores it: its form and transcript; which call it is only for
    managers, so that participants do not learn the agent."""
    return {
        "position": call.position,
        "call_id": call.call_id if principal.role in Role.MANAGERS else None,
        "items": call.items,
        "turns": speech_service.get_turns(db_session=db_session, call_id=call.call_id),
    }
