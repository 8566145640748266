"""The discipline ladder's state: rebuilt from the released evaluations whenever one changes.

Only the version in force counts (a call has one: uq_evaluations_current_call), one violation
per rule per call; an item under an open dispute does not count until the judgement is upheld;
an item whose dispute was overturned never counts again for that call. The stored
records are derived data: ``recompute`` (and the CLI's ``zhijian discipline recompute``) gives
the same answer from the evaluations every time.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.calls.service import Call
from services.config import get_settings
from services.db import aware
from services.errors import NotFound
from services.i18n import N_, _
from services.notifications import service as notify
from services.people.service import Principal, Role, User
from services.qa.discipline import ladder
from services.qa.discipline.tables import DisciplineRecord
from services.qa.disputes.service import Dispute, DisputeStatus
from services.qa.evaluations import content, hooks
from services.qa.evaluations.service import Evaluation

log = logging.getLogger(__name__)
NOTIFY_TIERS = ("deduction", "severe")
TIER_NAMES = {
    "reminder": N_("reminder"),
    "warning": N_("warning"),
    "deduction": N_("deduction"),
    "severe": N_("severe"),
}

_loaded: dict[Path, tuple[float, ladder.LadderConfig]] = {}


def config(path: Path | None = None) -> ladder.LadderConfig:
    """The ladder file, reloaded when it changes; a bad edit keeps the last good one running."""
    path = path or get_settings().discipline_file
    mtime = path.stat().st_mtime
    cached = _loaded.get(path)
    if cached is None or cached[0] != mtime:
        try:
            _loaded[path] = (mtime, ladder.load(path))
        except ladder.LadderError:
            if cached is None:
                raise
            log.exception("discipline ladder not reloaded; the previous one stays in force")
            _loaded[path] = (mtime, cached[1])
    return _loaded[path][1]


def violations(*, db_session: Session, agent_id: str) -> list[ladder.Violation]:
    """The agent's confirmed violations: items of released versions in force whose score the
    pack counts as a violation (content.is_violation), one per rule per call, less those under
    an open dispute or won by the agent in one."""
    disputed = {
        (d.review_id, d.item_id)
        for d in db_session.scalars(
            select(Dispute).where(
                Dispute.agent_id == agent_id,
                Dispute.status.in_((DisputeStatus.OPEN, DisputeStatus.OVERTURNED)),
            )
        )
    }
    counted: set[tuple[int, str]] = set()
    rows = db_session.execute(
        select(Evaluation, Call.started_at, Call.created_at)
        .join(Call, Call.id == Evaluation.call_id)
        .where(
            Evaluation.agent_id == agent_id,
            Evaluation.released_at.is_not(None),
            Evaluation.superseded_by.is_(None),
        )
    ).all()
    found = []
    for row, started_at, created_at in rows:
        for item in content.violations(row.items):
            once = (row.call_id, item["rule"] or f"item:{item['id']}")
            if (row.review_id, item["id"]) in disputed or once in counted:
                continue
            counted.add(once)
            evidence = {
                "item": item["name"],
                "earned": item["earned"],
                "points": item["points"],
                "comment": item["comment"],
                "hits": [h for h in item["hits"] if h.get("confirmed", True)],
            }
            found.append(
                ladder.Violation(
                    evaluation_id=row.id,
                    review_id=row.review_id,
                    call_id=row.call_id,
                    item_id=item["id"],
                    rule_id=item["rule"],
                    category=item["category"],
                    occurred_at=aware(started_at or created_at),
                    critical=bool(item["auto_fail"]),
                    evidence=evidence,
                )
            )
    return found


def recompute(*, db_session: Session, agent_id: str | None) -> list[DisciplineRecord]:
    """Rebuilds an agent's ladder; people hear of every newly reached deduction or severe tier."""
    if not agent_id:
        return []
    before = {
        (r.review_id, r.item_id, r.tier)
        for r in db_session.scalars(
            select(DisciplineRecord).where(DisciplineRecord.agent_id == agent_id)
        )
    }
    db_session.execute(delete(DisciplineRecord).where(DisciplineRecord.agent_id == agent_id))
    team = {}
    placed = ladder.place(config(), violations(db_session=db_session, agent_id=agent_id))
    records = []
    for p in placed:
        v = p.violation
        if v.call_id not in team:
            call = db_session.get(Call, v.call_id)
            team[v.call_id] = call.team if call else None
        record = DisciplineRecord(
            agent_id=agent_id,
            team=team[v.call_id],
            evaluation_id=v.evaluation_id,
            review_id=v.review_id,
            call_id=v.call_id,
            item_id=v.item_id,
            rule_id=v.rule_id,
            category=v.category,
            ladder=p.ladder,
            counted_as=p.counted_as,
            occurred_at=v.occurred_at,
            prior=p.prior,
            critical=v.critical,
            tier=p.step.tier,
            points=p.step.points,
            amount=p.step.amount,
            evidence=v.evidence,
        )
        db_session.add(record)
        records.append(record)
        if p.step.tier in NOTIFY_TIERS and (v.review_id, v.item_id, p.step.tier) not in before:
            _tier_reached(db_session, record)
    db_session.flush()
    return records


def _tier_reached(db_session: Session, record: DisciplineRecord) -> None:
    recipients = notify.agents(db_session=db_session, agent_id=record.agent_id)
    recipients += notify.deciders(db_session=db_session, team=record.team)
    notify.add(
        db_session=db_session,
        kind=notify.TIER_REACHED,
        user_ids=recipients,
        subject={
            "agent_id": record.agent_id,
            "call_id": record.call_id,
            "evaluation_id": record.evaluation_id,
            "tier": record.tier,
        },
        message=N_(
            "Agent {agent_id} reached {tier} on {category} (call {call_id}).",
            agent_id=record.agent_id,
            tier=TIER_NAMES.get(record.tier, record.tier),
            category=record.counted_as,
            call_id=record.call_id,
        ),
    )


def check_visible(*, db_session: Session, agent_id: str, principal: Principal) -> None:
    """The agent, their team lead, managers and training leads; NotFound for anyone else."""
    if principal.role in Role.SEE_ALL:
        return
    if principal.role == Role.AGENT and principal.agent_id == agent_id:
        return
    if principal.role == Role.TEAM_LEAD and principal.team:
        team = db_session.scalar(select(User.team).where(User.agent_id == agent_id).limit(1))
        if team == principal.team:
            return
    raise NotFound(_("agent {agent_id!r} has no discipline record you may see", agent_id=agent_id))


def records(*, db_session: Session, agent_id: str) -> list[DisciplineRecord]:
    """An agent's ladder history, oldest first."""
    return list(
        db_session.scalars(
            select(DisciplineRecord)
            .where(DisciplineRecord.agent_id == agent_id)
            .order_by(DisciplineRecord.occurred_at, DisciplineRecord.id)
        )
    )


def standing(found: list[DisciplineRecord], *, now: datetime) -> dict[str, str]:
    """Where each counted rule or category stands: the tier of its latest record in the window."""
    since = now - timedelta(days=config().window_days)
    return {f"{r.ladder}/{r.counted_as}": r.tier for r in found if aware(r.occurred_at) >= since}


def agent_ids(*, db_session: Session) -> list[str]:
    """Every agent with an evaluation or a ladder record."""
    agents = {a for a in db_session.scalars(select(Evaluation.agent_id)) if a}
    agents |= set(db_session.scalars(select(DisciplineRecord.agent_id)))
    return sorted(agents)


def _rebuild(db_session: Session, agent_id: str | None) -> None:
    recompute(db_session=db_session, agent_id=agent_id)


# Evaluations and disputes announce each change that counts against an agent; the ladder follows.
hooks.on_agent_change(_rebuild)
