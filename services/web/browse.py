"""Calls with filters (period, team, agent, flagged, status), for whoever may see them: the QA
manager's flagged calls, a team lead's team, an agent's own; the same visibility as the API."""

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from services.api.params import DbSession
from services.calls import service as calls_service
from services.config import get_settings
from services.errors import InvalidInput
from services.i18n import _
from services.scoring import service as scoring_service
from services.web.auth import Viewer, WebRoute, choose_language
from services.web.templating import render

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
Text = Annotated[str, Query(max_length=255)]


def _day(value: str, *, end: bool) -> datetime | None:
    """A day of the center's calendar as the moment it starts (or, for ``end``, ends)."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("Not a date: {value}", value=value)) from None
    moment = datetime.combine(day, time(), ZoneInfo(get_settings().center_timezone))
    return moment + timedelta(days=1) if end else moment


@router.get("/calls", response_class=HTMLResponse, include_in_schema=False)
def calls(
    db_session: DbSession,
    principal: Viewer,
    start: Text = "",
    end: Text = "",
    team: Text = "",
    agent: Text = "",
    flagged: Annotated[str, Query(pattern="^(|yes|no)$")] = "yes",
    status: Annotated[str, Query(pattern="^[a-z_]{0,32}$")] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """One page of calls, newest first, filtered."""
    found, next_cursor = calls_service.get_all(
        db_session=db_session,
        principal=principal,
        status=status or None,
        agent_id=agent.strip() or None,
        team=team.strip() or None,
        flagged={"yes": True, "no": False}.get(flagged),
        started_from=_day(start, end=False),
        started_to=_day(end, end=True),
        cursor=cursor or None,
        limit=50,
    )
    scores = {
        c.id: scoring_service.latest_score(db_session=db_session, call_id=c.id) for c in found
    }
    filters = {"start": start, "end": end, "team": team, "agent": agent, "flagged": flagged,
               "status": status}  # fmt: skip
    page = render(
        "calls.html",
        principal=principal,
        calls=found,
        scores=scores,
        filters=filters,
        next_cursor=next_cursor,
    )
    return HTMLResponse(page)
