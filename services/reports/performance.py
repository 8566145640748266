"""Team performance (scores, their spread and trend, flagged share, disputes, ladder steps,
inspectors' workload) and an agent's own weekly trend."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from services.errors import InvalidInput
from services.i18n import _
from services.reports import rollup
from services.reports.rollup import BINS
from services.reports.service import Filter


@dataclass
class TeamPerformance:
    """One team over the period."""

    team: str
    calls: int = 0
    flagged: int = 0
    scored: int = 0
    mean_score: float | None = None
    sd_score: float | None = None
    flagged_share: float | None = None
    distribution: list[int] = field(default_factory=lambda: [0] * BINS)
    weekly_mean: dict[str, float] = field(default_factory=dict)  # Monday → mean score
    disputes_raised: int = 0
    disputes_overturned: int = 0
    ladder_steps: int = 0


@dataclass(frozen=True)
class InspectorLoad:
    """An inspector's reviews of the scope's calls in the period."""

    inspector: str
    assigned: int
    submitted: int


@dataclass(frozen=True)
class TrendPoint:
    """One week of an agent's (or the scope's) calls."""

    week: str
    calls: int
    mean_score: float | None
    flagged_share: float
    violating_share: float


def team_performance(db_session: Session, scope: Filter) -> list[TeamPerformance]:
    """Each team of the scope over its period, teams by name."""
    rollup.fold_for_read(db_session)
    teams: dict[str, TeamPerformance] = {}
    sums: dict[str, list[float]] = {}  # team → score sum, sum of squares
    where, params = scope.where("a")
    # The score distribution from the rollup's bins, in the same pass: not from every score.
    bins = ", ".join(f"sum(a.score_bin_{i})" for i in range(BINS))
    for team, monday, calls, flagged, n, total, squares, *counts in db_session.execute(
        text(
            "SELECT a.team, date_trunc('week', a.day)::date, sum(a.calls), sum(a.flagged), "  # noqa: S608
            f"sum(a.scored), sum(a.score_sum), sum(a.score_sq_sum), {bins} "
            f"FROM report_agent_days a WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        params,
    ).all():
        t = teams.setdefault(team, TeamPerformance(team))
        t.distribution = [
            have + int(count) for have, count in zip(t.distribution, counts, strict=True)
        ]
        t.calls += int(calls)
        t.flagged += int(flagged)
        t.scored += int(n)
        if n:
            t.weekly_mean[monday.isoformat()] = float(total) / int(n)
        team_sums = sums.setdefault(team, [0.0, 0.0])
        team_sums[0] += float(total)
        team_sums[1] += float(squares)
    for t in teams.values():
        total, squares = sums[t.team]
        t.flagged_share = t.flagged / t.calls if t.calls else None
        if t.scored:
            t.mean_score = mean = total / t.scored
            if t.scored > 1:
                spread = (squares - t.scored * mean * mean) / (t.scored - 1)
                t.sd_score = math.sqrt(max(0.0, spread))
    _disputes_and_ladder(db_session, scope, teams)
    return [teams[name] for name in sorted(teams)]


def _narrow(scope: Filter, params: dict[str, Any], alias: str = "c") -> str:
    # Fixed SQL on a table with team and agent_id columns; the values are bound.
    sql = ""
    if scope.team is not None:
        sql += f" AND {alias}.team = :team"
        params["team"] = scope.team
    if scope.agent_id is not None:
        sql += f" AND {alias}.agent_id = :agent_id"
        params["agent_id"] = scope.agent_id
    return sql


def _disputes_and_ladder(
    db_session: Session, scope: Filter, teams: dict[str, TeamPerformance]
) -> None:
    lo, hi = rollup.day_bounds(scope.first, scope.last)
    params: dict[str, Any] = {"lo": lo, "hi": hi}
    narrow = _narrow(scope, params, "d")
    disputes = db_session.execute(
        text(
            "SELECT coalesce(d.team, ''), count(*), "  # noqa: S608 - fixed fragments
            "count(*) FILTER (WHERE d.status = 'overturned') FROM disputes d "
            f"WHERE d.opened_at >= :lo AND d.opened_at < :hi{narrow} GROUP BY 1"
        ),
        params,
    ).all()
    for team, raised, overturned in disputes:
        t = teams.setdefault(team, TeamPerformance(team))
        t.disputes_raised, t.disputes_overturned = int(raised), int(overturned)
    steps = db_session.execute(
        text(
            "SELECT coalesce(d.team, ''), count(*) FROM discipline_records d "  # noqa: S608
            f"WHERE d.occurred_at >= :lo AND d.occurred_at < :hi{narrow} GROUP BY 1"
        ),
        params,
    ).all()
    for team, count in steps:
        teams.setdefault(team, TeamPerformance(team)).ladder_steps = int(count)


def inspector_workload(db_session: Session, scope: Filter) -> list[InspectorLoad]:
    """Reviews of the scope's calls assigned to each inspector in the period, and submitted."""
    lo, hi = rollup.day_bounds(scope.first, scope.last)
    params: dict[str, Any] = {"lo": lo, "hi": hi}
    narrow = _narrow(scope, params)
    rows = db_session.execute(
        text(
            "SELECT u.username, count(*), count(r.submitted_at) FROM reviews r "  # noqa: S608
            "JOIN users u ON u.id = r.inspector_id JOIN calls c ON c.id = r.call_id "
            f"WHERE r.assigned_at >= :lo AND r.assigned_at < :hi{narrow} "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
        params,
    ).all()
    return [InspectorLoad(name, int(a), int(s)) for name, a, s in rows]


def agent_trend(db_session: Session, scope: Filter) -> list[TrendPoint]:
    """The scope's calls week by week (Monday first): an agent's own trend when the scope is
    one agent."""
    if scope.agent_id is None:
        raise InvalidInput(_("the trend is an agent's: name agent_id"))
    rollup.fold_for_read(db_session)
    where, params = scope.where("a")
    rows = db_session.execute(
        text(
            "SELECT date_trunc('week', a.day)::date, sum(a.calls), sum(a.flagged), "  # noqa: S608
            "sum(a.violating), sum(a.scored), sum(a.score_sum) FROM report_agent_days a "
            f"WHERE {where} GROUP BY 1 ORDER BY 1"
        ),
        params,
    ).all()
    return [
        TrendPoint(
            week=monday.isoformat(),
            calls=int(calls),
            mean_score=float(total) / int(n) if n else None,
            flagged_share=int(flagged) / int(calls),
            violating_share=int(violating) / int(calls),
        )
        for monday, calls, flagged, violating, n, total in rows
        if calls
    ]


def weeks_of(first: date, last: date) -> list[str]:
    """The Mondays of the weeks the period touches, for a trend's columns."""
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        out.append(monday.isoformat())
        monday += timedelta(weeks=1)
    return out
