"""The rotation page: this period's plan and the ones before (who watches which area, with its
workload), and, for managers, a form that plans the week starting on a given day."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.params import DbSession
from services.db import center_zone, utcnow
from services.errors import Forbidden, InvalidInput
from services.i18n import _
from services.people.service import Role
from services.qa.rotation import service as rotation_service
from services.qa.rotation.schemas import RotationIn
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.templating import render
from services.web.views import valid

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
READERS = (Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR)
HISTORY = 8


@router.get("/rotation", response_class=HTMLResponse, include_in_schema=False)
def rotation(db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """The plan in force first, then the history, each with who watches which area."""
    if principal.role not in READERS:
        raise Forbidden(_("This page is for inspectors and QA managers."))
    now = utcnow()
    current = rotation_service.in_force(db_session=db_session, at=now)
    periods = [
        (period, rotation_service.named_assignments(db_session=db_session, period=period))
        for period in rotation_service.history(db_session=db_session, limit=HISTORY)
    ]
    next_week = rotation_service.week_of(now)[1]
    page = render(
        "rotation.html",
        principal=principal,
        periods=periods,
        current_id=current.id if current else None,
        may_plan=principal.role in Role.MANAGERS,
        suggested=next_week.astimezone(center_zone()).date().isoformat(),
    )
    return HTMLResponse(page)


@router.post("/rotation", include_in_schema=False)
def plan(
    db_session: DbSession, principal: Sender, start: Annotated[str, Form(max_length=20)]
) -> Response:
    """Plans a week of center days from ``start``: every area to a new inspector, workloads
    balanced; the inspectors' areas follow the plan once it starts."""
    if principal.role not in Role.MANAGERS:
        raise Forbidden(_("Only QA managers plan the rotation."))
    try:
        day = date.fromisoformat(start.strip())
    except ValueError:
        raise InvalidInput(_("Not a date: {value}", value=start)) from None
    body = valid(RotationIn, start=day)
    begins, ends = rotation_service.center_period(body.start, body.end)
    period = rotation_service.plan_period(
        db_session=db_session, start=begins, end=ends, created_by=principal.username
    )
    return RedirectResponse(f"/rotation#period-{period.id}", status_code=303)
