"""An inspector's calibration history: bias and agreement over the sessions of the window, as a
table and a chart, and the recalibration flag with the sessions behind it. QA managers see
everyone's, an inspector their own; for anyone else the page is not there (404)."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from services.api.params import DbSession
from services.calibration import charts, history
from services.calibration.agreement.sessions import WINDOW_DAYS
from services.config import get_settings
from services.db import utcnow
from services.people.service import Role
from services.web.auth import Viewer, WebRoute, choose_language
from services.web.templating import render

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
Username = Annotated[str, Path(min_length=1, max_length=150)]
Days = Annotated[int, Query(ge=1, le=3660)]


@router.get(
    "/calibration/inspectors/{username}", response_class=HTMLResponse, include_in_schema=False
)
def history_page(
    username: Username, db_session: DbSession, principal: Viewer, days: Days = WINDOW_DAYS
) -> HTMLResponse:
    """The inspector's sessions in the window, the pooled figures and the flag."""
    user = history.inspector_or_raise(db_session=db_session, principal=principal, username=username)
    found = history.history(db_session=db_session, user=user, as_of=utcnow(), days=days)
    return HTMLResponse(
        render(
            "calibration_history.html",
            principal=principal,
            shown=found,
            manager=principal.role in Role.MANAGERS,
        )
    )


@router.get("/calibration/inspectors/{username}/history.png", include_in_schema=False)
def history_chart(
    username: Username, db_session: DbSession, principal: Viewer, days: Days = WINDOW_DAYS
) -> Response:
    """The inspector's bias and agreement per session, as a chart."""
    user = history.inspector_or_raise(db_session=db_session, principal=principal, username=username)
    found = history.history(db_session=db_session, user=user, as_of=utcnow(), days=days)
    zone = ZoneInfo(get_settings().center_timezone)
    return Response(charts.render_history(found["series"], zone=zone), media_type="image/png")
