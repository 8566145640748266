"""Evaluations: versions, release to the agent, acknowledgement, corrections, and who may see
which (OWASP API1: authorised on the object)."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calls.service import Call
from services.db import aware, utcnow
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.i18n import N_, Message, _, kept, stored
from services.notifications import service as notify
from services.people.service import Principal, Role
from services.qa.evaluations import content, hooks
from services.qa.evaluations.tables import Evaluation


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Managers and training leads see every evaluation; an inspector the ones they wrote; an
    agent their own and a team lead their team's, once released."""
    if principal.role in Role.SEE_ALL:
        return true()
    if principal.role == Role.INSPECTOR:
        return Evaluation.inspector_id == principal.user_id
    released = Evaluation.released_at.is_not(None)
    if principal.role == Role.AGENT and principal.agent_id:
        return released & (Evaluation.agent_id == principal.agent_id)
    if principal.role == Role.TEAM_LEAD and principal.team:
        return released & (Evaluation.team == principal.team)
    return false()


def get_or_raise(*, db_session: Session, evaluation_id: int, principal: Principal) -> Evaluation:
    """An evaluation the principal may see, or NotFound (the same for one they may not see)."""
    found = db_session.scalar(
        select(Evaluation).where(Evaluation.id == evaluation_id, visible_to(principal))
    )
    if found is None:
        raise NotFound(_("evaluation {evaluation_id} does not exist", evaluation_id=evaluation_id))
    return found


def get_all(
    *,
    db_session: Session,
    principal: Principal,
    agent_id: str | None,
    released: bool | None,
    limit: int,
) -> list[Evaluation]:
    """Current versions the principal may see, newest first."""
    query = select(Evaluation).where(visible_to(principal), Evaluation.superseded_by.is_(None))
    if agent_id is not None:
        query = query.where(Evaluation.agent_id == agent_id)
    if released is not None:
        query = query.where(
            Evaluation.released_at.is_not(None) if released else Evaluation.released_at.is_(None)
        )
    return list(db_session.scalars(query.order_by(Evaluation.id.desc()).limit(limit)))


def versions(
    *, db_session: Session, review_id: int, principal: Principal | None = None
) -> list[Evaluation]:
    """Every version of a review's evaluation, oldest first; agents and team leads (as
    ``principal``) see only the released ones."""
    query = select(Evaluation).where(Evaluation.review_id == review_id)
    if principal is not None and principal.role in (Role.AGENT, Role.TEAM_LEAD):
        query = query.where(Evaluation.released_at.is_not(None))
    return list(db_session.scalars(query.order_by(Evaluation.version)))


def current(*, db_session: Session, review_id: int) -> Evaluation:
    """The version in force."""
    return versions(db_session=db_session, review_id=review_id)[-1]


def write_version(
    *,
    db_session: Session,
    review_id: int,
    inspector_id: int,
    call: Call,
    pack: tuple[str, str],
    items: list[content.Item],
    weights: dict[str, Any],
    comment: str,
    why: str,
    by: Principal,
    turn_comments: list[dict[str, Any]] | None = None,
) -> Evaluation:
    """Stores a new version (the previous one, if any, is superseded)."""
    latest = db_session.scalar(
        select(func.max(Evaluation.version)).where(Evaluation.review_id == review_id)
    )
    previous = (
        db_session.scalar(
            select(Evaluation).where(
                Evaluation.review_id == review_id, Evaluation.version == latest
            )
        )
        if latest
        else None
    )
    if previous is not None:
        # Superseded before the new version is written, so that the call never has two
        # versions in force (uq_evaluations_current_call); pointed at the new one below.
        previous.superseded_by = previous.id
        db_session.flush()
    row = Evaluation(
        review_id=review_id,
        version=(latest or 0) + 1,
        call_id=call.id,
        agent_id=call.agent_id,
        team=call.team,
        inspector_id=inspector_id,
        pack=pack[0],
        pack_version=pack[1],
        items=items,
        comment=comment,
        turn_comments=turn_comments or [],
        why=why,
        created_by=by.username,
        **content.totals(items, weights),
    )
    db_session.add(row)
    db_session.flush()
    if previous is not None:
        previous.superseded_by = row.id
        db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=by.username,
        action="evaluation.created",
        call_id=call.id,
        detail={"evaluation_id": row.id, "version": row.version, "why": kept(why)},
    )
    return row


def check_author(row: Evaluation, principal: Principal) -> None:
    """Only the inspector who wrote an evaluation, or a manager, may release or correct it."""
    if principal.role not in Role.MANAGERS and row.inspector_id != principal.user_id:
        raise Forbidden(_("only its inspector or a QA manager may change an evaluation"))
    if row.superseded_by is not None:
        raise Conflict(
            _(
                "evaluation {row_id} is superseded by {superseded_by}",
                row_id=row.id,
                superseded_by=row.superseded_by,
            )
        )


def dispute_deadline(row: Evaluation, window_days: int) -> datetime | None:
    """When a released evaluation stops being open to dispute; None before its release."""
    if row.released_at is None:
        return None
    return aware(row.released_at) + timedelta(days=window_days)


def release(*, db_session: Session, row: Evaluation, principal: Principal) -> Evaluation:
    """Shows the evaluation to the agent, who may then acknowledge or dispute it."""
    check_author(row, principal)
    if row.released_at is not None:
        raise Conflict(_("evaluation {row_id} is already released", row_id=row.id))
    message = N_(
        "Your call {call_id} was evaluated: {score}.", call_id=row.call_id, score=_score(row)
    )
    _show_agent(db_session, row, principal, message)
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="evaluation.released",
        call_id=row.call_id,
        detail={"evaluation_id": row.id},
    )
    hooks.agent_changed(db_session=db_session, agent_id=row.agent_id)
    return row


def _score(row: Evaluation) -> str:
    return f"{row.total:g}/{row.maximum:g}"


def _show_agent(db_session: Session, row: Evaluation, by: Principal, message: Message) -> None:
    """Releases ``row`` and tells the agent; the caller rebuilds their ladder (once, after
    everything else the action changes)."""
    row.released_at, row.released_by = utcnow(), by.username
    notify.add(
        db_session=db_session,
        kind=notify.EVALUATION_RELEASED,
        user_ids=notify.agents(db_session=db_session, agent_id=row.agent_id),
        subject={"evaluation_id": row.id, "call_id": row.call_id},
        message=message,
    )


AGENT_ACTIONS = {"acknowledges": N_("acknowledges"), "disputes": N_("disputes")}


def check_agent(row: Evaluation, principal: Principal, action: str) -> None:
    """Only the evaluated agent acknowledges or disputes an evaluation."""
    if principal.role != Role.AGENT or row.agent_id != principal.agent_id:
        verb = AGENT_ACTIONS.get(action, action)
        raise Forbidden(_("only the evaluated agent {action} an evaluation", action=verb))


def acknowledge(*, db_session: Session, row: Evaluation, principal: Principal) -> Evaluation:
    """The agent says they have seen it and accept it."""
    check_agent(row, principal, "acknowledges")
    if row.superseded_by is not None:
        raise Conflict(
            _(
                "evaluation {row_id} is superseded by {superseded_by}",
                row_id=row.id,
                superseded_by=row.superseded_by,
            )
        )
    if row.acknowledged_at is not None:
        raise Conflict(_("evaluation {row_id} is already acknowledged", row_id=row.id))
    row.acknowledged_at = utcnow()
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="evaluation.acknowledged",
        call_id=row.call_id,
        detail={"evaluation_id": row.id},
    )
    return row


def correct(
    *,
    db_session: Session,
    row: Evaluation,
    principal: Principal,
    scores: dict[str, dict[str, Any]],
    reason: str,
) -> Evaluation:
    """A corrected version with some items re-scored; released at once if the old one was."""
    check_author(row, principal)
    try:
        items = content.apply_scores(row.items, scores, by=principal.username)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    fresh = new_version(
        db_session=db_session,
        row=row,
        items=items,
        why=stored(N_("correction: {reason}", reason=reason)),
        by=principal,
    )
    if fresh.released_at is not None:  # the agent's ladder counts released versions only
        hooks.agent_changed(db_session=db_session, agent_id=fresh.agent_id)
    return fresh


def new_version(
    *, db_session: Session, row: Evaluation, items: list[content.Item], why: str, by: Principal
) -> Evaluation:
    """Writes the next version of ``row`` with new items, released if ``row`` was; the caller
    rebuilds the agent's ladder."""
    call = db_session.get(Call, row.call_id)
    if call is None:
        raise NotFound(_("the call of evaluation {row_id} no longer exists", row_id=row.id))
    was_released = row.released_at is not None
    fresh = write_version(
        db_session=db_session,
        review_id=row.review_id,
        inspector_id=row.inspector_id,
        call=call,
        pack=(row.pack, row.pack_version),
        items=items,
        weights=content.weights(row.sections),
        comment=row.comment,
        turn_comments=row.turn_comments,
        why=why,
        by=by,
    )
    follow_release(db_session=db_session, fresh=fresh, was_released=was_released, by=by)
    return fresh


def follow_release(
    *, db_session: Session, fresh: Evaluation, was_released: bool, by: Principal
) -> None:
    """Releases a new version at once if the one it replaces was released (the agent hears of
    it); the caller rebuilds the agent's ladder."""
    if was_released:
        message = N_(
            "Your call {call_id} was re-scored: {score} ({why}).",
            call_id=fresh.call_id,
            score=_score(fresh),
            why=kept(fresh.why),
        )
        _show_agent(db_session, fresh, by, message)


def in_force_for_call(*, db_session: Session, call_id: int) -> Evaluation | None:
    """The call's evaluation in force, if it has one."""
    return db_session.scalar(
        select(Evaluation).where(Evaluation.call_id == call_id, Evaluation.superseded_by.is_(None))
    )
