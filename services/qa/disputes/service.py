"""Disputes (申诉): an agent contests an item of a released evaluation within the window; the
team lead or a QA manager upholds the judgement or overturns it, which re-scores the evaluation
(a new version) and rolls the discipline ladder back."""

from sqlalchemy import ColumnElement, column, false, func, select, table, true, update
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.db import unique, utcnow
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.i18n import N_, _, stored
from services.notifications import service as notify
from services.people.service import Principal, Role
from services.qa.disputes.tables import Dispute, DisputeStatus
from services.qa.evaluations import content, hooks
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.service import Evaluation

DECISIONS = {DisputeStatus.UPHELD: N_("upheld"), DisputeStatus.OVERTURNED: N_("overturned")}


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """An agent sees their own disputes, a team lead their team's, an inspector those against
    their evaluations; managers and training leads all."""
    if principal.role in Role.SEE_ALL:
        return true()
    if principal.role == Role.AGENT and principal.agent_id:
        return Dispute.agent_id == principal.agent_id
    if principal.role == Role.TEAM_LEAD and principal.team:
        return Dispute.team == principal.team
    if principal.role == Role.INSPECTOR:
        written = select(Evaluation.id).where(Evaluation.inspector_id == principal.user_id)
        return Dispute.evaluation_id.in_(written)
    return false()


def get_or_raise(*, db_session: Session, dispute_id: int, principal: Principal) -> Dispute:
    """A dispute the principal may see, or NotFound."""
    found = db_session.scalar(
        select(Dispute).where(Dispute.id == dispute_id, visible_to(principal))
    )
    if found is None:
        raise NotFound(_("dispute {dispute_id} does not exist", dispute_id=dispute_id))
    return found


def get_all(
    *,
    db_session: Session,
    principal: Principal,
    status: str | None = None,
    review_id: int | None = None,
    limit: int = 100,
) -> list[Dispute]:
    """Disputes the principal may see (of one review, if given), oldest first."""
    query = select(Dispute).where(visible_to(principal))
    if status:
        query = query.where(Dispute.status == status)
    if review_id is not None:
        query = query.where(Dispute.review_id == review_id)
    return list(db_session.scalars(query.order_by(Dispute.opened_at, Dispute.id).limit(limit)))


def lock_review(*, db_session: Session, review_id: int) -> None:
    """Holds the review's row until the transaction ends: the disputes of one review are opened
    and decided one at a time, so parallel requests see each other's work instead of writing
    the same version or item twice (SQLite serialises writers anyway)."""
    # The row is named, not imported: reviews build on disputes (a re-evaluation carries them),
    # so disputes do not import reviews.
    reviews = table("reviews", column("id"))
    db_session.execute(select(reviews.c.id).where(reviews.c.id == review_id).with_for_update())


def open_dispute(
    *,
    db_session: Session,
    row: Evaluation,
    principal: Principal,
    item_id: str,
    reason: str,
    window_days: int,
    per_evaluation: int,
) -> Dispute:
    """The evaluated agent disputes one item, within the window and the per-evaluation limit."""
    evaluations.check_agent(row, principal, "disputes")
    lock_review(db_session=db_session, review_id=row.review_id)
    db_session.refresh(row)  # as a dispute decided meanwhile left it
    if row.released_at is None or row.superseded_by is not None:
        raise Conflict(_("evaluation {row_id} is not the released version in force", row_id=row.id))
    if row.acknowledged_at is not None:
        raise Conflict(
            _("evaluation {row_id} was acknowledged; it can no longer be disputed", row_id=row.id)
        )
    closes = evaluations.dispute_deadline(row, window_days)
    if closes is not None and utcnow() > closes:
        raise Conflict(
            _(
                "the {window_days}-day dispute window closed on {closes:%Y-%m-%d %H:%M} UTC",
                window_days=window_days,
                closes=closes,
            )
        )
    item = next((i for i in row.items if i["id"] == item_id), None)
    if item is None:
        raise InvalidInput(
            _("evaluation {row_id} has no item {item_id!r}", row_id=row.id, item_id=item_id)
        )
    if item["status"] != content.HIT:
        raise InvalidInput(
            _("item {item_id!r} lost no points; there is nothing to dispute", item_id=item_id)
        )
    taken = db_session.scalar(select(func.count()).where(Dispute.review_id == row.review_id)) or 0
    if taken >= per_evaluation:
        raise Conflict(
            _(
                "an evaluation may have at most {per_evaluation} disputes",
                per_evaluation=per_evaluation,
            )
        )
    already = _("item {item} is already disputed", item=repr(item_id))
    if db_session.scalar(
        select(Dispute.id).where(Dispute.review_id == row.review_id, Dispute.item_id == item_id)
    ):
        raise Conflict(already)
    dispute = Dispute(
        review_id=row.review_id,
        evaluation_id=row.id,
        item_id=item_id,
        agent_id=row.agent_id,
        team=row.team,
        reason=reason,
        opened_by=principal.username,
    )
    with unique(db_session, already):  # the constraint holds where the lock cannot (SQLite)
        db_session.add(dispute)
    notify.add(
        db_session=db_session,
        kind=notify.DISPUTE_OPENED,
        user_ids=notify.deciders(db_session=db_session, team=row.team),
        subject={"dispute_id": dispute.id, "evaluation_id": row.id, "call_id": row.call_id},
        message=N_(
            "Agent {agent_id} disputes {item} on call {call_id}.",
            agent_id=row.agent_id,
            item=item["name"],
            call_id=row.call_id,
        ),
    )
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="dispute.opened",
        call_id=row.call_id,
        detail={"dispute_id": dispute.id, "item_id": item_id},
    )
    # A disputed item stops counting on the ladder until it is decided.
    hooks.agent_changed(db_session=db_session, agent_id=row.agent_id)
    return dispute


def check_decider(dispute: Dispute, principal: Principal) -> None:
    """The agent's team lead or a QA manager decides."""
    leads_team = (
        principal.role == Role.TEAM_LEAD and principal.team and principal.team == dispute.team
    )
    if principal.role not in Role.MANAGERS and not leads_team:
        raise Forbidden(_("a dispute is decided by the agent's team lead or a QA manager"))


def claim(*, db_session: Session, dispute: Dispute, principal: Principal, decision: str) -> None:
    """Moves an open dispute to ``decision``, or raises Conflict: the first of parallel
    deciders wins, and only the winner goes on to re-score, notify and write the audit entry.

    The review's lock makes the others wait; the update's condition on the status makes the
    state change itself refuse a second decision, whatever reached the database first.
    """
    lock_review(db_session=db_session, review_id=dispute.review_id)
    claimed = db_session.execute(
        update(Dispute)
        .where(Dispute.id == dispute.id, Dispute.status == DisputeStatus.OPEN)
        .values(status=decision, decided_by=principal.username, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db_session.refresh(dispute)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            _(
                "dispute {dispute_id} was already decided ({status})",
                dispute_id=dispute.id,
                status=dispute.status,
            )
        )


def decide(
    *,
    db_session: Session,
    dispute: Dispute,
    principal: Principal,
    decision: str,
    comment: str,
    earned: float | None,
) -> Dispute:
    """Upholds the judgement, or overturns it: the item gets ``earned`` (default: full points)
    in a new released version of the evaluation."""
    check_decider(dispute, principal)
    claim(db_session=db_session, dispute=dispute, principal=principal, decision=decision)
    row = evaluations.current(db_session=db_session, review_id=dispute.review_id)
    if decision == DisputeStatus.OVERTURNED:
        item = next(i for i in row.items if i["id"] == dispute.item_id)
        score = {
            "earned": item["points"] if earned is None else earned,
            "comment": f"dispute {dispute.id} overturned: {comment}",
        }
        try:
            items = content.apply_scores(row.items, {dispute.item_id: score}, by=principal.username)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        row = evaluations.new_version(
            db_session=db_session,
            row=row,
            items=items,
            why=stored(N_("dispute {dispute_id} overturned", dispute_id=dispute.id)),
            by=principal,
        )
        dispute.result_evaluation_id = row.id
    dispute.decision_comment = comment
    recipients = [
        *notify.agents(db_session=db_session, agent_id=dispute.agent_id),
        row.inspector_id,
    ]
    notify.add(
        db_session=db_session,
        kind=notify.DISPUTE_DECIDED,
        user_ids=recipients,
        subject={"dispute_id": dispute.id, "evaluation_id": row.id, "call_id": row.call_id},
        message=N_(
            "The dispute on {item} (call {call_id}) was {decision}.",
            item=dispute.item_id,
            call_id=row.call_id,
            decision=DECISIONS.get(decision, decision),
        ),
    )
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="dispute.decided",
        call_id=row.call_id,
        detail={"dispute_id": dispute.id, "decision": decision, "evaluation_id": row.id},
    )
    hooks.agent_changed(db_session=db_session, agent_id=dispute.agent_id)
    return dispute


def follow_new_version(*, db_session: Session, fresh: Evaluation, by: Principal) -> None:
    """A re-evaluation's open disputes: carried to the new version where the item still lost
    points, closed with the reason where it no longer did; the caller rebuilds the ladder."""
    items = {i["id"]: i for i in fresh.items}
    for dispute in db_session.scalars(
        select(Dispute).where(
            Dispute.review_id == fresh.review_id, Dispute.status == DisputeStatus.OPEN
        )
    ):
        item = items.get(dispute.item_id)
        if item is not None and item["status"] == content.HIT:
            dispute.evaluation_id = fresh.id  # still to be decided, on the version in force
            continue
        dispute.status = DisputeStatus.CLOSED
        dispute.decided_by, dispute.decided_at = by.username, utcnow()
        # Kept as a Message: the agent and the deciders each read it in their own language.
        dispute.decision_comment = stored(
            N_(
                "closed: version {version} of the evaluation (a re-evaluation) no longer deducts "
                "for this item",
                version=fresh.version,
            )
        )
        dispute.result_evaluation_id = fresh.id
        audit_service.record(
            db_session=db_session,
            username=by.username,
            action="dispute.closed",
            call_id=fresh.call_id,
            detail={"dispute_id": dispute.id, "evaluation_id": fresh.id},
        )
    db_session.flush()
