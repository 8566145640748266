"""The agent's pages (my scored calls, my released evaluations, my ladder standing) and a
call's page, which every role that may see the call can open."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from services.api.params import CallId, DbSession
from services.calls import service as calls_service
from services.config import get_settings
from services.db import utcnow
from services.people.service import Principal, Role
from services.qa.discipline import service as discipline
from services.qa.evaluations import service as evaluations
from services.reports import performance
from services.reports import service as reports
from services.reports.performance import TrendPoint
from services.scoring import service as scoring_service
from services.web import lookups
from services.web.auth import Viewer, WebRoute, choose_language
from services.web.templating import render
from services.web.views import recording

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
TREND_WEEKS = 12  # the agent's own trend on their page: this many weeks before this one


@router.get("/my", response_class=HTMLResponse, include_in_schema=False)
def mine(db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """The calls and released evaluations the signed-in person may see (an agent: their own),
    and an agent's standing on the discipline ladder."""
    calls, _cursor = calls_service.get_all(
        db_session=db_session,
        principal=principal,
        status="scored",
        agent_id=None,
        team=None,
        flagged=None,
        started_from=None,
        started_to=None,
        cursor=None,
        limit=50,
    )
    scores = {
        c.id: scoring_service.latest_score(db_session=db_session, call_id=c.id) for c in calls
    }
    released = evaluations.get_all(
        db_session=db_session, principal=principal, agent_id=None, released=True, limit=50
    )
    standing: dict[str, str] = {}
    if principal.agent_id:
        found = discipline.records(db_session=db_session, agent_id=principal.agent_id)
        standing = discipline.standing(found, now=utcnow())
    team: dict[str, dict[str, str]] = {}
    trend = _own_trend(db_session, principal) if principal.role == Role.AGENT else []
    if principal.role == Role.TEAM_LEAD and principal.team:
        for agent in lookups.team_agents(db_session=db_session, team=principal.team):
            assert agent.agent_id is not None  # team_agents has only agents with an id
            records = discipline.records(db_session=db_session, agent_id=agent.agent_id)
            team[agent.agent_id] = discipline.standing(records, now=utcnow())
    page = render(
        "mine.html",
        principal=principal,
        calls=calls,
        scores=scores,
        released=released,
        standing=standing,
        team=team,
        trend=trend,
        window_days=discipline.config().window_days,
    )
    return HTMLResponse(page)


def _own_trend(db_session: Session, principal: Principal) -> list[TrendPoint]:
    # The last TREND_WEEKS weeks of the agent's calls; reports need PostgreSQL (not the
    # embedded SQLite mode, where the page goes without it).
    if db_session.get_bind().dialect.name != "postgresql":
        return []
    today = datetime.now(ZoneInfo(get_settings().center_timezone)).date()
    first = today - timedelta(weeks=TREND_WEEKS, days=today.weekday())
    scope = reports.visible(principal, first=first, last=today, team=None, agent_id=None)
    return performance.agent_trend(db_session, scope)


@router.get("/calls/{call_id}", response_class=HTMLResponse, include_in_schema=False)
def call_page(
    call_id: CallId, request: Request, db_session: DbSession, principal: Viewer
) -> HTMLResponse:
    """A call: recording, transcript and machine hits (404 for a call one may not see)."""
    call = calls_service.get_or_raise(db_session=db_session, call_id=call_id, principal=principal)
    score = scoring_service.latest_score(db_session=db_session, call_id=call.id)
    hits = scoring_service.hits(db_session=db_session, score=score) if score else []
    page = render(
        "call.html",
        principal=principal,
        media=recording(db_session=db_session, call=call, principal=principal, request=request),
        score=score,
        hits=hits,
    )
    return HTMLResponse(page)
