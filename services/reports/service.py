"""Reports over the daily rollups: training needs, Pareto, control charts; who may see what."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from services.config import get_settings
from services.errors import Forbidden, InvalidInput
from services.i18n import _
from services.people.service import Principal, Role
from services.reports import rollup
from services.reports.pareto import ParetoRow, pareto
from services.reports.rates import GroupCount, TrainingNeed, rank_training_needs
from services.reports.rows import HIRE_DATES, rule_rows
from services.reports.spc import (
    ControlChart,
    Proportion,
    laney_p_chart,
    p_chart,
    xbar_s_from_summaries,
)

MAX_DAYS = 400  # a year and a bit: longer periods belong to a yearly report
NEW_HIRE = "0–3 月 new hire"
TENURED = "3 月以上 3 months or more"
NO_HIRE_DATE = "入职日期未知 hire date unknown"
# Group expressions of the training-need dimensions, over rule rows r and users u.
DIMENSIONS = {
    "agent": "r.agent_id",
    "team": "r.team",
    "tenure": (
        f"CASE WHEN u.hired_on IS NULL THEN '{NO_HIRE_DATE}' "
        f"WHEN r.day < u.hired_on + interval '3 months' THEN '{NEW_HIRE}' ELSE '{TENURED}' END"
    ),
}


HIRED = f"LEFT JOIN {HIRE_DATES} u ON u.agent_id = r.agent_id"


@dataclass(frozen=True)
class Filter:
    """The period (center days, both included) and the team and agent a report covers."""

    first: date
    last: date
    team: str | None = None
    agent_id: str | None = None

    def where(self, alias: str) -> tuple[str, dict[str, Any]]:
        """SQL conditions on a rollup table ``alias`` and their parameters."""
        who, params = self.who(alias)
        params.update(first=self.first, last=self.last)
        return f"{alias}.day BETWEEN :first AND :last{who}", params

    def who(self, alias: str) -> tuple[str, dict[str, Any]]:
        """The team and agent conditions alone (each led by AND), and their parameters."""
        sql = ""
        params: dict[str, Any] = {}
        if self.team is not None:
            sql += f" AND {alias}.team = :team"
            params["team"] = self.team
        if self.agent_id is not None:
            sql += f" AND {alias}.agent_id = :agent_id"
            params["agent_id"] = self.agent_id
        return sql, params


def visible(
    principal: Principal, *, first: date, last: date, team: str | None, agent_id: str | None
) -> Filter:
    """The filter a principal may run: agents see their own calls, team leads their team,
    training leads and managers everything; anything else is refused."""
    if first > last:
        raise InvalidInput(_("the period's start is after its end"))
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(_("a report covers at most {days} days", days=MAX_DAYS))
    if principal.role in Role.SEE_ALL:
        return Filter(first, last, team, agent_id)
    if principal.role == Role.TEAM_LEAD and principal.team:
        if team not in (None, principal.team):
            raise Forbidden(_("a team lead sees only their own team"))
        return Filter(first, last, principal.team, agent_id)
    if principal.role == Role.AGENT and principal.agent_id:
        if agent_id not in (None, principal.agent_id):
            raise Forbidden(_("an agent sees only their own calls"))
        return Filter(first, last, team, principal.agent_id)
    raise Forbidden(_("reports need the role of a manager, training lead, team lead or agent"))


def training_needs(db_session: Session, scope: Filter, *, dimension: str) -> list[TrainingNeed]:
    """Each group's violation rate per rule (per opportunity) against the whole center's."""
    if dimension not in DIMENSIONS:
        raise InvalidInput(
            _("dimension must be one of {dimensions}", dimensions=", ".join(DIMENSIONS))
        )
    rollup.fold_for_read(db_session)
    source, params = rule_rows(scope, tenure=dimension == "tenure")
    rows = db_session.execute(
        text(
            f"SELECT r.rule_id, {DIMENSIONS[dimension]} AS grp, sum(r.violations), "  # noqa: S608
            f"sum(r.opportunities) FROM ({source}) r "
            f"{HIRED if dimension == 'tenure' else ''} GROUP BY 1, 2"
        ),
        params,
    ).all()
    center = _center_rates(db_session, scope, rows)
    groups = [
        GroupCount(rule, dimension, group, int(violations), int(calls))
        for rule, group, violations, calls in rows
        if calls
    ]
    return rank_training_needs(groups=groups, center=center)


def _center_rates(
    db_session: Session, scope: Filter, groups: Sequence[Any]
) -> Mapping[str, tuple[int, int]]:
    # The baseline is the whole center's over the same period, whoever is asking. Where the
    # scope is the whole center, its groups add up to it: no second pass over the rollup.
    if scope.team is None and scope.agent_id is None:
        totals: dict[str, tuple[int, int]] = {}
        for rule, _group, violations, calls in groups:
            v, n = totals.get(rule, (0, 0))
            totals[rule] = (v + int(violations), n + int(calls))
        return {rule: vn for rule, vn in totals.items() if vn[1]}
    source, params = rule_rows(Filter(scope.first, scope.last))
    rows = db_session.execute(
        text(
            "SELECT r.rule_id, sum(r.violations), sum(r.opportunities) "  # noqa: S608 - fixed
            f"FROM ({source}) r GROUP BY 1"
        ),
        params,
    ).all()
    return {rule: (int(v), int(n)) for rule, v, n in rows if n}


def violation_pareto(db_session: Session, scope: Filter, *, by: str) -> list[ParetoRow]:
    """Violations counted by rule or by category, most frequent first, with cumulative shares."""
    if by not in ("rule", "category"):
        raise InvalidInput(_("by must be rule or category"))
    rollup.fold_for_read(db_session)
    source, params = rule_rows(scope)
    column = "r.rule_id" if by == "rule" else "r.category"
    rows = db_session.execute(
        text(f"SELECT {column}, sum(r.violations) FROM ({source}) r GROUP BY 1"),  # noqa: S608
        params,
    ).all()
    return pareto({key: int(count) for key, count in rows})


def violation_chart(
    db_session: Session, scope: Filter, *, period: str, laney: bool
) -> ControlChart:
    """Share of calls with a violation per day or week (weeks from Monday), as a p or Laney p′
    chart with Western Electric signals."""
    buckets: dict[date, list[int]] = {}
    for day, violating, calls in _agent_days(db_session, scope, "sum(a.violating), sum(a.calls)"):
        bucket = buckets.setdefault(_period_start(day, period), [0, 0])
        bucket[0] += int(violating)
        bucket[1] += int(calls)
    points = [Proportion(d.isoformat(), v, n) for d, (v, n) in sorted(buckets.items()) if n]
    if len(points) < 2:
        raise InvalidInput(_("a control chart needs calls on two periods at least"))
    return laney_p_chart(points) if laney else p_chart(points)


def score_charts(
    db_session: Session, scope: Filter, *, period: str
) -> tuple[ControlChart, ControlChart]:
    """X̄ and S charts of the calls' QA scores (percent) per day or week, from the rollup's sums
    and sums of squares."""
    days = _agent_days(db_session, scope, "sum(a.scored), sum(a.score_sum), sum(a.score_sq_sum)")
    buckets: dict[date, list[float]] = {}
    for day, n, total, squares in days:
        bucket = buckets.setdefault(_period_start(day, period), [0, 0.0, 0.0])
        for i, value in enumerate((n, total, squares)):
            bucket[i] += float(value)
    labels, sizes, means, sds = [], [], [], []
    for start, (n, total, squares) in sorted(buckets.items()):
        if n < 2:
            continue  # a period with one score has no spread to chart
        mean = total / n
        labels.append(start.isoformat())
        sizes.append(int(n))
        means.append(mean)
        # max(0, …): rounding can take a spread of equal scores a hair below zero.
        sds.append(math.sqrt(max(0.0, (squares - n * mean * mean) / (n - 1))))
    if len(labels) < 2:
        raise InvalidInput(_("a control chart needs scores on two periods at least"))
    return xbar_s_from_summaries(labels, sizes, means, sds)


def _period_start(day: date, period: str) -> date:
    if period not in ("day", "week"):
        raise InvalidInput(_("period must be day or week"))
    return day - timedelta(days=day.weekday()) if period == "week" else day


def _agent_days(db_session: Session, scope: Filter, sums: str) -> list[Any]:
    # The rollup's per-day sums over the scope (``sums``: fixed SQL over report_agent_days a).
    rollup.fold_for_read(db_session)
    where, params = scope.where("a")
    return list(
        db_session.execute(
            text(
                f"SELECT a.day, {sums} FROM report_agent_days a "  # noqa: S608 - fixed fragments
                f"WHERE {where} GROUP BY 1 ORDER BY 1"
            ),
            params,
        ).all()
    )


@dataclass(frozen=True)
class Evidence:
    """One hit of a rule behind a report cell: the call, when it started, where in the call."""

    call_id: int
    agent_id: str | None
    team: str | None
    started_at: datetime
    start: float
    end: float
    text: str


# The calls of a tenure band (a training-need cell by tenure), over calls c.
TENURE_BANDS = {
    NEW_HIRE: "u.hired_on IS NOT NULL AND (c.started_at AT TIME ZONE :tz)::date "
    "< u.hired_on + interval '3 months'",
    TENURED: "u.hired_on IS NOT NULL AND (c.started_at AT TIME ZONE :tz)::date "
    ">= u.hired_on + interval '3 months'",
    NO_HIRE_DATE: "u.hired_on IS NULL",
}


def evidence(
    db_session: Session, scope: Filter, *, rule_id: str, limit: int, tenure: str | None = None
) -> list[Evidence]:
    """The hits of ``rule_id`` on the current scores of the scope's calls (of one tenure band
    if ``tenure`` names one), oldest call first; each call's recording plays through the calls
    API, which checks the viewer's rights."""
    lo, hi = rollup.day_bounds(scope.first, scope.last)
    params: dict[str, Any] = {"lo": lo, "hi": hi, "rule_id": rule_id, "limit": limit}
    band = ""
    if tenure is not None:
        if tenure not in TENURE_BANDS:
            raise InvalidInput(_("tenure must be one of {bands}", bands=", ".join(TENURE_BANDS)))
        band = f"{HIRED.replace('r.agent_id', 'c.agent_id')} WHERE {TENURE_BANDS[tenure]}"
        params["tz"] = get_settings().center_timezone
    narrow = ""
    if scope.team is not None:
        narrow += " AND c.team = :team"
        params["team"] = scope.team
    if scope.agent_id is not None:
        narrow += " AND c.agent_id = :agent_id"
        params["agent_id"] = scope.agent_id
    rows = db_session.execute(
        text(
            f"WITH current AS ({rollup.current_scores(narrow)}) "  # noqa: S608 - fixed fragments, values are bound
            'SELECT c.id, c.agent_id, c.team, c.started_at, h.start, h."end", h.text '
            "FROM current cur JOIN calls c ON c.id = cur.call_id "
            "JOIN hits h ON h.call_id = cur.call_id AND h.pack = cur.pack "
            f"AND h.pack_version = cur.pack_version AND h.rule_id = :rule_id {band} "
            "ORDER BY c.started_at, c.id, h.start LIMIT :limit"
        ),
        params,
    ).all()
    return [Evidence(*row) for row in rows]
