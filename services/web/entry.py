"""Signing in and out, the language switch, each role's home page and the static files."""

import hmac
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from services.api.auth import SESSION_COOKIE
from services.api.params import DbSession
from services.config import get_settings
from services.errors import Forbidden, InvalidInput, NotFound
from services.i18n import LANGUAGES, _, set_language
from services.people import manage as people_manage
from services.people import service as people_service
from services.people import signin
from services.people.service import Role
from services.web.auth import (
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    Sender,
    Viewer,
    WebRoute,
    choose_language,
    secure_cookies,
)
from services.web.templating import render

STATIC = Path(__file__).parent / "static"
router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])

HOMES = {
    Role.AGENT: "/my",
    Role.TEAM_LEAD: "/disputes",
    Role.TRAINING_LEAD: "/training",
}


def _back_to(target: str | None) -> str:
    """Only a path on this site, never another site (an open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_page(next_path: str, error: str | None, status: int) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = render("login.html", next=next_path, error=error, csrf_token=token, principal=None)
    response = HTMLResponse(page, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, secure=secure_cookies(), samesite="strict"
    )
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(next: str | None = None) -> HTMLResponse:
    """The sign-in page."""
    return _login_page(_back_to(next), None, 200)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    db_session: DbSession,
    username: Annotated[str, Form(max_length=150)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Signs in: the session cookie (HttpOnly, SameSite), then the page asked for."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected):
        raise Forbidden(_("The form is out of date; reload the page and try again."))
    try:
        user = signin.authenticate(db_session=db_session, username=username, password=password)
    except signin.LoginThrottled as exc:
        message = _("Too many failed sign-ins; try again in {seconds} s.",
                        seconds=exc.retry_after_s)  # fmt: skip
        return _login_page(_back_to(next), message, 429)
    except (signin.BadCredentials, InvalidInput):
        message = _("Unknown username or wrong password.")
        return _login_page(_back_to(next), message, 400)
    if user.language:
        set_language(user.language)
    lifetime = timedelta(hours=get_settings().session_hours)
    secret, _csrf = people_service.create_session(
        db_session=db_session, user=user, lifetime=lifetime
    )
    response = RedirectResponse(_back_to(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=secure_cookies(),
        samesite="lax",
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    if user.language:  # the sign-in page, next time, in their language too
        _remember_language(response, user.language)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, db_session: DbSession, _principal: Sender) -> Response:
    """Ends the session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        people_service.end_session(db_session=db_session, secret=cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _remember_language(response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 86400, secure=secure_cookies(), samesite="lax"
    )


@router.post("/language", include_in_schema=False)
def choose(
    request: Request,
    db_session: DbSession,
    principal: Sender,
    language: Annotated[str, Form(max_length=8)],
) -> Response:
    """The reader's language, kept on the user (every browser they sign in from follows it)
    and in this browser; back to the page they were on."""
    if language not in LANGUAGES:
        raise InvalidInput(_("Unknown language {language}.", language=language))
    user = people_manage.get_user_or_raise(db_session=db_session, user_id=principal.user_id)
    people_manage.update_user(db_session=db_session, user=user, changes={"language": language})
    came_from = urlsplit(request.headers.get("referer", ""))
    same_site = came_from.netloc == request.url.netloc
    back = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    response = RedirectResponse(_back_to(back if same_site else "/"), status_code=303)
    _remember_language(response, language)
    return response


@router.get("/", include_in_schema=False)
def home(principal: Viewer) -> Response:
    """Each role starts where its work is."""
    return RedirectResponse(HOMES.get(principal.role, "/reviews"), status_code=303)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """Our stylesheet and player script (nothing else is served from here)."""
    path = STATIC / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise NotFound(_("Not found"))
    response = FileResponse(path)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
