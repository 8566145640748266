"""The managers' people page: users, teams and areas (each area with the inspectors watching it
now), each deactivated or activated again with a click; every change audited by the people
services."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.params import DbSession, Id
from services.errors import Forbidden
from services.i18n import _
from services.people import manage
from services.people.service import Principal, Role
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.templating import render

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
Switch = Annotated[str, Form(pattern="^(on|off)$")]


def _manager(principal: Principal) -> Principal:
    if principal.role not in Role.MANAGERS:
        raise Forbidden(_("This page is for QA managers."))
    return principal


@router.get("/people", response_class=HTMLResponse, include_in_schema=False)
def people(db_session: DbSession, principal: Viewer, done: str | None = None) -> HTMLResponse:
    """Everyone, every team and every area with who watches it now."""
    _manager(principal)
    page = render(
        "people.html",
        principal=principal,
        users=manage.list_users(db_session=db_session, role=None, team=None, active=None),
        teams=manage.list_teams(db_session=db_session),
        areas=manage.list_areas(db_session=db_session),
        done=done,
    )
    return HTMLResponse(page)


@router.post("/people/users/{user_id}/active", include_in_schema=False)
def user_active(user_id: Id, db_session: DbSession, principal: Sender, active: Switch) -> Response:
    """Deactivates a person (their sessions end, their tokens stop) or activates them again."""
    _manager(principal)
    user = manage.get_user_or_raise(db_session=db_session, user_id=user_id)
    # Who may switch whom is the people service's rule, the same as the API's.
    manage.set_active(db_session=db_session, user=user, active=active == "on", by=principal)
    return RedirectResponse(f"/people?done=user:{user.username}", status_code=303)


@router.post("/people/teams/{team_id}/active", include_in_schema=False)
def team_active(team_id: Id, db_session: DbSession, principal: Sender, active: Switch) -> Response:
    """Deactivates a team or activates it again."""
    _manager(principal)
    team = manage.get_team_or_raise(db_session=db_session, team_id=team_id)
    manage.update_team(db_session=db_session, team=team, changes={"active": active == "on"})
    return RedirectResponse(f"/people?done=team:{team.name}", status_code=303)


@router.post("/people/areas/{area_id}/active", include_in_schema=False)
def area_active(area_id: Id, db_session: DbSession, principal: Sender, active: Switch) -> Response:
    """Deactivates an area (nobody watches it any more) or activates it again."""
    _manager(principal)
    area = manage.get_area_or_raise(db_session=db_session, area_id=area_id)
    manage.update_area(db_session=db_session, area=area, changes={"active": active == "on"})
    return RedirectResponse(f"/people?done=area:{area.name}", status_code=303)
