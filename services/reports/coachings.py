"""Coachings recorded by training leads and QA managers, and each one's effect on the coached
agents' violation rate (difference-in-differences against their teams' uncoached agents)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.errors import Forbidden, InvalidInput, NotFound
from services.i18n import _
from services.people.service import Principal, Role
from services.reports import rollup
from services.reports.coaching import AgentWeek, CoachingEffect, coaching_effect
from services.reports.tables import Coaching

MAX_AGENTS = 500
MAX_RULES = 50


def _may_manage(principal: Principal) -> None:
    if principal.role not in Role.SEE_ALL:
        raise Forbidden(_("coachings are for training leads and QA managers"))


def record(
    db_session: Session,
    principal: Principal,
    *,
    coached_on: date,
    agent_ids: list[str],
    rule_ids: list[str],
    note: str = "",
) -> Coaching:
    """Records a coaching of ``agent_ids`` for ``rule_ids`` (empty: every rule) on a day."""
    _may_manage(principal)
    agents = sorted({a.strip() for a in agent_ids if a.strip()})
    rules = sorted({r.strip() for r in rule_ids if r.strip()})
    if not agents:
        raise InvalidInput(_("a coaching needs at least one agent"))
    if len(agents) > MAX_AGENTS or len(rules) > MAX_RULES:
        raise InvalidInput(
            _(
                "a coaching names at most {agents} agents and {rules} rules",
                agents=MAX_AGENTS,
                rules=MAX_RULES,
            )
        )
    coaching = Coaching(
        coached_on=coached_on,
        agent_ids=agents,
        rule_ids=rules,
        note=note,
        created_by=principal.username,
    )
    db_session.add(coaching)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="coaching.record",
        detail={"coaching_id": coaching.id, "agent_ids": agents, "rule_ids": rules},
    )
    return coaching


def listed(db_session: Session, principal: Principal, *, first: date, last: date) -> list[Coaching]:
    """The coachings held from ``first`` to ``last`` (both included), newest first."""
    _may_manage(principal)
    return list(
        db_session.scalars(
            select(Coaching)
            .where(Coaching.coached_on.between(first, last))
            .order_by(Coaching.coached_on.desc(), Coaching.id.desc())
        )
    )


def get(db_session: Session, principal: Principal, coaching_id: int) -> Coaching:
    """One coaching; NotFound when there is none."""
    _may_manage(principal)
    coaching = db_session.get(Coaching, coaching_id)
    if coaching is None:
        raise NotFound(_("no such coaching"))
    return coaching


def delete(db_session: Session, principal: Principal, coaching_id: int) -> None:
    """Deletes a coaching recorded by mistake (the audit log keeps what it was)."""
    coaching = get(db_session, principal, coaching_id)
    detail = {"coaching_id": coaching.id, "coached_on": coaching.coached_on.isoformat()}
    detail.update(agent_ids=coaching.agent_ids, rule_ids=coaching.rule_ids)
    db_session.delete(coaching)
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="coaching.delete",
        detail=detail,
    )


@dataclass(frozen=True)
class CoachingResult:
    """A coaching and its effect, or why it has none yet (too few weeks, no controls …)."""

    coaching: Coaching
    effect: CoachingEffect | None
    reason: str | None


def effect(db_session: Session, coaching: Coaching, *, window_weeks: int = 4) -> CoachingResult:
    """The coaching's effect over ``window_weeks`` weeks before and after its week, on its
    rules' violations per opportunity (or, for a coaching of every rule, on the share of calls
    with a violation). Agents coached by another coaching in these weeks are no controls."""
    if not 1 <= window_weeks <= 26:
        raise InvalidInput(_("the window is 1 to 26 weeks"))
    rollup.fold_for_read(db_session)
    monday = coaching.coached_on - timedelta(days=coaching.coached_on.weekday())
    start = monday - timedelta(weeks=window_weeks)
    end = monday + timedelta(weeks=window_weeks + 1)  # exclusive
    others = _coached_elsewhere(db_session, coaching, start, end)
    weeks = [w for w in _weeks(db_session, coaching, start, end) if w.agent not in others]
    try:
        found = coaching_effect(
            weeks=weeks,
            coached=dict.fromkeys(coaching.agent_ids, coaching.coached_on),
            window_weeks=window_weeks,
            seed=coaching.id,
        )
    except ValueError as error:  # too few weeks, calls or controls: say so, not a 500
        return CoachingResult(coaching, None, _("no effect yet: {why}", why=str(error)))
    return CoachingResult(coaching, found, None)


def _coached_elsewhere(db_session: Session, coaching: Coaching, start: date, end: date) -> set[str]:
    rows = db_session.scalars(
        select(Coaching.agent_ids).where(
            Coaching.id != coaching.id,
            Coaching.coached_on >= start,
            Coaching.coached_on < end,
        )
    )
    return {agent for agents in rows for agent in agents} - set(coaching.agent_ids)


def _weeks(db_session: Session, coaching: Coaching, start: date, end: date) -> list[AgentWeek]:
    # Every agent of the coached agents' teams, week by week, from the rollups.
    if coaching.rule_ids:
        source = "report_rule_days r"
        sums = "sum(r.violations), sum(r.opportunities)"
        narrow = " AND r.rule_id IN :rules"
    else:
        source = "report_agent_days r"
        sums = "sum(r.violating), sum(r.calls)"
        narrow = ""
    query = text(
        f"SELECT r.agent_id, r.team, date_trunc('week', r.day)::date, {sums} "  # noqa: S608
        f"FROM {source} WHERE r.day >= :start AND r.day < :end{narrow} AND r.team IN ("
        "SELECT DISTINCT team FROM report_agent_days WHERE agent_id IN :agents "
        "AND day >= :start AND day < :end) AND r.agent_id <> '' GROUP BY 1, 2, 3"
    ).bindparams(bindparam("agents", expanding=True))
    params: dict[str, Any] = {"start": start, "end": end, "agents": list(coaching.agent_ids)}
    if coaching.rule_ids:
        query = query.bindparams(bindparam("rules", expanding=True))
        params["rules"] = list(coaching.rule_ids)
    rows = db_session.execute(query, params).all()
    return [AgentWeek(a, t, w, int(v), int(n)) for a, t, w, v, n in rows]
