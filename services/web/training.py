"""The training lead's page: training needs (with their evidence), the Pareto and the control
chart drawn on the server, and each coaching's effect; CSV and XLSX links beside each table."""

from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from services.api.params import DbSession
from services.config import get_settings
from services.errors import InvalidInput
from services.people.service import Role
from services.reports import coachings, service
from services.reports.confirmed import confirmed_training_needs, rule_precision
from services.web.auth import Viewer, WebRoute, choose_language
from services.web.templating import render

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
SHOWN = 50  # rows of training needs on the page; the exports hold them all
DEFAULT_DAYS = 28
COACHINGS_WEEKS = 26


@router.get("/training", response_class=HTMLResponse, include_in_schema=False)
def training(
    db_session: DbSession,
    principal: Viewer,
    first: Annotated[date | None, Query()] = None,
    last: Annotated[date | None, Query()] = None,
    dimension: Literal["agent", "team", "tenure"] = "tenure",
    confirmed: bool = False,
) -> HTMLResponse:
    """Training needs over a period (the last four weeks by default) and coaching effects."""
    last = last or datetime.now(ZoneInfo(get_settings().center_timezone)).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    scope = service.visible(principal, first=first, last=last, team=None, agent_id=None)
    if confirmed:
        needs = confirmed_training_needs(db_session, scope, dimension=dimension)
    else:
        needs = service.training_needs(db_session, scope, dimension=dimension)
    precision = rule_precision(db_session, {n.rule for n in needs})
    # The control chart needs calls in two weeks at least: say why instead of a broken image.
    try:
        service.violation_chart(db_session, scope, period="week", laney=True)
        no_chart = None
    except InvalidInput as reason:
        no_chart = str(reason)
    effects = []
    since = first - timedelta(weeks=COACHINGS_WEEKS)  # a coaching's effect shows weeks later
    if principal.role in Role.SEE_ALL:
        held = coachings.listed(db_session, principal, first=since, last=last)
        effects = [coachings.effect(db_session, c) for c in held]
    period = {"first": first.isoformat(), "last": last.isoformat()}
    needs_query = {**period, "dimension": dimension, "confirmed": str(confirmed).lower()}
    page = render(
        "training.html",
        principal=principal,
        first=first,
        last=last,
        dimension=dimension,
        confirmed=confirmed,
        needs=needs[:SHOWN],
        total=len(needs),
        precision=precision,
        no_chart=no_chart,
        effects=effects,
        evidence=lambda need: _evidence(period, dimension, need.rule, need.group),
        needs_query=urlencode(needs_query),
        coaching_query=urlencode({**period, "first": since.isoformat()}),
        period_query=urlencode(period),
    )
    return HTMLResponse(page)


def _evidence(period: dict[str, str], dimension: str, rule: str, group: str) -> str:
    key = {"agent": "agent_id", "team": "team", "tenure": "tenure"}[dimension]
    return "/api/v1/reports/evidence?" + urlencode({**period, "rule_id": rule, key: group})
