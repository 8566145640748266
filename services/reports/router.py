"""HTTP endpoints of the reports: JSON, or CSV / XLSX tables and PNG / SVG charts (``format``)."""

from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response

from services.api.auth import Auth
from services.api.params import DbSession
from services.people.service import Role
from services.reports import charts, performance, service, tabulate
from services.reports.confirmed import confirmed_training_needs as confirmed_needs
from services.reports.confirmed import rule_precision
from services.reports.exports import Table, to_csv, to_xlsx
from services.types import InputDate

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

First = Annotated[InputDate, Query(description="first day of the period (center's time zone)")]
Last = Annotated[InputDate, Query(description="last day of the period, included")]
Team = Annotated[str | None, Query(max_length=255)]
Agent = Annotated[str | None, Query(max_length=255)]
TableFormat = Literal["json", "csv", "xlsx"]
ChartFormat = Literal["json", "csv", "xlsx", "png", "svg"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def _file(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def table_response(table: Table, fmt: str, name: str) -> Response:
    """One table as a CSV or XLSX download."""
    return _file(to_csv(table) if fmt == "csv" else to_xlsx([table]), fmt, name)


@router.get("/training-needs", response_model=None)
def training_needs(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    dimension: Literal["agent", "team", "tenure"] = "agent",
    team: Team = None,
    agent_id: Agent = None,
    confirmed: bool = False,
    format: TableFormat = "json",
) -> dict[str, Any] | Response:
    """Violation rates by rule × agent, team or tenure band, with 95 % Wilson intervals,
    ranked by how surely they exceed the center's rate; ``confirmed``: over reviewed calls,
    counting inspector-confirmed hits only. Rules of low reviewed precision are marked."""
    scope = service.visible(principal, first=first, last=last, team=team, agent_id=agent_id)
    if confirmed:
        needs = confirmed_needs(db_session, scope, dimension=dimension)
    else:
        needs = service.training_needs(db_session, scope, dimension=dimension)
    precision = rule_precision(db_session, {n.rule for n in needs})
    if format != "json":
        table = tabulate.training_needs_table(needs, title="培训需求 Training needs")
        return table_response(table, format, "training-needs")
    return {
        "scope": asdict(scope),
        "confirmed_only": confirmed,
        "precision": {rule: asdict(p) for rule, p in precision.items()},
        "rows": [
            {
                **asdict(n),
                "low_precision": precision[n.rule].low,
                "evidence": _evidence_link(scope, n.rule, dimension, n.group),
            }
            for n in needs
        ],
    }


def _evidence_link(scope: service.Filter, rule: str, dimension: str, group: str) -> str:
    # The cell's calls and hit times: the evidence endpoint with the cell's filters.
    query: dict[str, str] = {"first": scope.first.isoformat(), "last": scope.last.isoformat()}
    query["rule_id"] = rule
    if scope.team is not None:
        query["team"] = scope.team
    if scope.agent_id is not None:
        query["agent_id"] = scope.agent_id
    query[{"agent": "agent_id", "team": "team", "tenure": "tenure"}[dimension]] = group
    return f"{router.prefix}/evidence?{urlencode(query)}"


@router.get("/pareto", response_model=None)
def violation_pareto(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    by: Literal["rule", "category"] = "rule",
    team: Team = None,
    agent_id: Agent = None,
    format: ChartFormat = "json",
) -> dict[str, Any] | Response:
    """Violations by rule or category, most frequent first, with the cumulative share."""
    scope = service.visible(principal, first=first, last=last, team=team, agent_id=agent_id)
    rows = service.violation_pareto(db_session, scope, by=by)
    title = "违规帕累托 Violation Pareto"
    if format in ("png", "svg"):
        return _file(charts.render_pareto(rows, title=title, fmt=format), format, "pareto")
    if format != "json":
        return table_response(tabulate.pareto_table(rows, title=title), format, "pareto")
    return {"scope": asdict(scope), "rows": [asdict(r) for r in rows]}


@router.get("/violation-chart", response_model=None)
def violation_chart(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    period: Literal["day", "week"] = "week",
    chart: Literal["laney-p", "p"] = "laney-p",
    team: Team = None,
    agent_id: Agent = None,
    format: ChartFormat = "json",
) -> dict[str, Any] | Response:
    """Share of calls with a violation per day or week as a control chart (Laney p′ by
    default, for the large n of machine scoring), with Western Electric signals."""
    scope = service.visible(principal, first=first, last=last, team=team, agent_id=agent_id)
    result = service.violation_chart(db_session, scope, period=period, laney=chart == "laney-p")
    title = "违规率控制图 Violation rate control chart"
    if format in ("png", "svg"):
        image = charts.render_control_charts([result], title=title, fmt=format)
        return _file(image, format, "violation-chart")
    if format != "json":
        return table_response(
            tabulate.control_chart_table(result, title=title), format, "violation-chart"
        )
    body = asdict(result)
    body["out_of_control"] = result.out_of_control()
    return {"scope": asdict(scope), "chart": body}


@router.get("/score-chart", response_model=None)
def score_chart(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    period: Literal["day", "week"] = "week",
    team: Team = None,
    agent_id: Agent = None,
    format: ChartFormat = "json",
    series: Literal["xbar", "s"] = "xbar",
) -> dict[str, Any] | Response:
    """X̄ and S charts of the QA scores per day or week, with Western Electric signals; the
    XLSX holds both charts' tables, a CSV the one ``series`` names."""
    scope = service.visible(principal, first=first, last=last, team=team, agent_id=agent_id)
    xbar, s = service.score_charts(db_session, scope, period=period)
    title = "质检得分 X̄–S 控制图 QA score X̄–S charts"
    if format in ("png", "svg"):
        image = charts.render_control_charts([xbar, s], title=title, fmt=format)
        return _file(image, format, "score-chart")
    tables = [
        tabulate.control_chart_table(xbar, title="得分均值 X̄"),
        tabulate.control_chart_table(s, title="得分标准差 S"),
    ]
    if format == "xlsx":
        return _file(to_xlsx(tables), format, "score-chart")
    if format == "csv":  # one table a file: the one ``series`` names
        return _file(to_csv(tables[0 if series == "xbar" else 1]), format, f"score-{series}")
    charts_out = {}
    for name, chart in (("xbar", xbar), ("s", s)):
        charts_out[name] = {**asdict(chart), "out_of_control": chart.out_of_control()}
    return {"scope": asdict(scope), "charts": charts_out}


@router.get("/evidence")
def evidence(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    rule_id: Annotated[str, Query(min_length=1, max_length=64)],
    team: Team = None,
    agent_id: Agent = None,
    tenure: Annotated[str | None, Query(max_length=64, description="a tenure band")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The hits behind a report cell (a rule, a team or agent, a period): each call with its
    hit times; ``GET /api/v1/calls/{id}/audio`` plays it, per the viewer's rights."""
    scope = service.visible(principal, first=first, last=last, team=team, agent_id=agent_id)
    hits = service.evidence(db_session, scope, rule_id=rule_id, limit=limit, tenure=tenure)
    return {"scope": asdict(scope), "hits": [asdict(h) for h in hits]}


@router.get("/team-performance", response_model=None)
def team_performance(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    team: Team = None,
    agent_id: Agent = None,
    format: TableFormat = "json",
) -> dict[str, Any] | Response:
    """Per team: calls, mean score and spread, score distribution, weekly means, flagged
    share, disputes raised and overturned, ladder steps; and the inspectors' workload."""
    scope = service.visible(principal, first=first, last=last, team=team, agent_id=agent_id)
    teams = performance.team_performance(db_session, scope)
    # Who reviewed an agent's calls is the QA side's business, not the agent's.
    hidden = principal.role == Role.AGENT
    inspectors = [] if hidden else performance.inspector_workload(db_session, scope)
    if format != "json":
        weeks = performance.weeks_of(first, last)
        tables = tabulate.team_performance_tables(teams, inspectors, weeks)
        content = to_csv(tables[0]) if format == "csv" else to_xlsx(tables)
        return _file(content, format, "team-performance")
    return {
        "scope": asdict(scope),
        "teams": [asdict(t) for t in teams],
        "inspectors": [asdict(i) for i in inspectors],
    }


@router.get("/agent-trend", response_model=None)
def agent_trend(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    agent_id: Agent = None,
    format: TableFormat = "json",
) -> dict[str, Any] | Response:
    """An agent's weeks: calls, mean score, flagged and violating shares (agents: their own;
    team leads: their team's agents)."""
    scope = service.visible(principal, first=first, last=last, team=None, agent_id=agent_id)
    points = performance.agent_trend(db_session, scope)
    if format != "json":
        table = tabulate.agent_trend_table(points, title="坐席趋势 Agent trend")
        return table_response(table, format, "agent-trend")
    return {"scope": asdict(scope), "weeks": [asdict(p) for p in points]}
