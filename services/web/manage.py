"""The QA manager's pages: people and areas to create, sampling plans to create, try (a dry
run) and run, the run's calls going straight to the inspectors."""

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.params import DbSession, Id
from services.config import get_settings
from services.errors import Forbidden, InvalidInput
from services.i18n import _
from services.people import manage as people_manage
from services.people import service as people_service
from services.people.service import Principal, Role
from services.qa.reviews import assignment
from services.qa.sampling import service as sampling_service
from services.qa.sampling.schemas import REVIEW_WITHIN_DAYS, PlanSpec
from services.web import lookups
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.templating import render
from services.web.views import valid

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
FormText = Annotated[str, Form(max_length=4000)]


def _manager(principal: Principal) -> Principal:
    if principal.role not in Role.MANAGERS:
        raise Forbidden(_("This page is for QA managers."))
    return principal


def _names(text: str) -> list[str]:
    """A comma-separated list, as typed."""
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _page(db_session: DbSession, principal: Principal, **extra: object) -> str:
    plans = sampling_service.get_plans(db_session=db_session)
    areas = lookups.all_areas(db_session=db_session)
    return render(
        "manage.html",
        principal=principal,
        plans=[(p, PlanSpec.model_validate(p.spec)) for p in plans],
        areas=areas,
        roles=Role.ALL,
        review_within_days=REVIEW_WITHIN_DAYS,
        **extra,
    )


@router.get("/manage", response_class=HTMLResponse, include_in_schema=False)
def manage(db_session: DbSession, principal: Viewer, done: str | None = None) -> HTMLResponse:
    """People, areas and sampling plans."""
    _manager(principal)
    return HTMLResponse(_page(db_session, principal, done=done))


@router.post("/manage/users", include_in_schema=False)
def create_user(
    db_session: DbSession,
    principal: Sender,
    username: FormText,
    role: FormText,
    password: FormText = "",
    team: FormText = "",
    agent_id: FormText = "",
    display_name: FormText = "",
) -> Response:
    """A new person who signs in with the password given."""
    people_manage.check_may_create(by=principal, role=role)
    user = people_manage.add_user(
        db_session=db_session,
        username=username.strip(),
        role=role,
        password=password or None,
        team=team.strip() or None,
        agent_id=agent_id.strip() or None,
        display_name=display_name.strip() or None,
    )
    return RedirectResponse(f"/manage?done=user:{user.username}", status_code=303)


@router.post("/manage/areas", include_in_schema=False)
def create_area(
    db_session: DbSession,
    principal: Sender,
    name: FormText,
    queues: FormText = "",
    teams: FormText = "",
) -> Response:
    """A new area: the calls of these queues and teams."""
    _manager(principal)
    if not name.strip():
        raise InvalidInput(_("An area needs a name."))
    area = people_service.create_area(
        db_session=db_session, name=name.strip(), queues=_names(queues), teams=_names(teams)
    )
    return RedirectResponse(f"/manage?done=area:{area.name}", status_code=303)


@router.post("/manage/plans", include_in_schema=False)
def create_plan(
    db_session: DbSession,
    principal: Sender,
    name: FormText,
    period: FormText = "week",
    per_agent: Annotated[int, Form(ge=0, le=1000)] = 3,
    per_agent_cap: Annotated[int, Form(ge=1, le=1000)] = 10,
    teams: FormText = "",
    queues: FormText = "",
    review_within_days: FormText = "",  # the form sends its default; empty: no due date
) -> Response:
    """A new sampling plan: risky calls first, then a random few per agent, each review due
    some days after the run (an empty field: no due date)."""
    _manager(principal)
    days = review_within_days.strip()
    if days and not days.isdigit():
        raise InvalidInput(_("Not a number of days: {value}", value=days))
    spec = valid(
        PlanSpec,
        name=name,
        period=period,
        per_agent=per_agent,
        new_hire_per_agent=min(per_agent_cap, 5),
        per_agent_cap=per_agent_cap,
        filters={"teams": _names(teams), "queues": _names(queues)},
        review_within_days=int(days) if days else None,
    )
    plan = sampling_service.create_plan(db_session=db_session, spec=spec)
    return RedirectResponse(f"/manage?done=plan:{plan.spec['name']}", status_code=303)


def _moment(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("Not a date: {value}", value=value)) from None
    return datetime.combine(day, time(12), ZoneInfo(get_settings().center_timezone))


@router.post("/manage/plans/{plan_id}/runs", include_in_schema=False)
def run_plan(
    plan_id: Id,
    db_session: DbSession,
    principal: Sender,
    action: FormText = "dry_run",
    at: FormText = "",
) -> Response:
    """A dry run shows the picks; a run stores them and hands them to the inspectors."""
    _manager(principal)
    plan = sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    dry = action != "run"
    stored, start, end, picks = sampling_service.run(
        db_session=db_session, plan=plan, at=_moment(at), dry_run=dry,
        created_by=principal.username,
    )  # fmt: skip
    if stored is None:
        page = _page(db_session, principal, tried=(plan, start, end, picks), at=at)
        return HTMLResponse(page)
    assignment.assign_run(db_session=db_session, run=stored)
    return RedirectResponse("/reviews", status_code=303)
