"""Who is looking at a page: the browser session (the API's cookie), its CSRF token on every
form, the reader's language, and the security headers and error pages every page answers with."""

import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from services import context
from services.api.auth import SESSION_COOKIE
from services.api.errors import STATUS
from services.api.params import DbSession
from services.config import get_settings
from services.errors import Forbidden, Unauthenticated, ZhijianError
from services.i18n import LANGUAGES, _, set_language
from services.people import service as people_service
from services.people.service import Principal
from services.web.templating import render

LANGUAGE_COOKIE = "zhijian_language"
LOGIN_CSRF_COOKIE = "zhijian_login_csrf"
SAFE_METHODS = ("GET", "HEAD")


def security_headers(response: Response) -> None:
    """No inline or foreign script, no framing, no sniffing; audio only from where we serve it."""
    settings = get_settings()
    # Recordings stream from the API itself (its public address, where set), or from the
    # object store's public endpoint when presigned links are configured.
    sources = ["'self'"]
    if settings.public_url:
        sources.append(settings.public_url.rstrip("/"))
    if settings.s3_public_endpoint:
        scheme = "https" if settings.s3_secure else "http"
        sources.append(f"{scheme}://{settings.s3_public_endpoint}")
    store = " ".join(sources)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"media-src {store}; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")


def _error_page(request: Request, exc: ZhijianError) -> Response:
    if isinstance(exc, Unauthenticated):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    code = next((c for cls, c in STATUS if isinstance(exc, cls)), 500)
    titles = {404: _("Not found"), 403: _("Not allowed"), 409: _("Not possible now")}
    page = render(
        "error.html",
        title=titles.get(code, _("Cannot do that")),
        detail=str(exc),
        principal=getattr(request.state, "principal", None),
    )
    return HTMLResponse(page, status_code=code)


class WebRoute(APIRoute):
    """A page: zhijian's errors become an HTML page (sign-in for a missing session), and every
    answer carries the security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wraps FastAPI's handler."""
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                response = await handler(request)
            except ZhijianError as exc:
                response = _error_page(request, exc)
            security_headers(response)
            return response

        return page


async def choose_language(request: Request) -> None:
    """The reader's choice (a cookie) over ``Accept-Language``; async, so that it holds for
    the rest of the request."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        set_language(chosen)


def page_principal(request: Request, db_session: DbSession) -> Principal:
    """The signed-in person (pages take no bearer tokens); sign-in again once it expired."""
    cookie = request.cookies.get(SESSION_COOKIE)
    found = (
        people_service.principal_from_session(db_session=db_session, secret=cookie)
        if cookie
        else None
    )
    if found is None:
        raise Unauthenticated("sign in")
    request.state.principal = found
    if found.language:  # the language the user chose wins over the browser's
        set_language(found.language)
    now = context.current()
    if now is not None:  # what the page does is audited under the person's name, as the API's
        now.actor = found.username
    return found


def form_principal(
    principal: Annotated[Principal, Depends(page_principal)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Principal:
    """The signed-in person sending a form, which must carry the session's CSRF token."""
    if not principal.csrf_token or not hmac.compare_digest(csrf_token, principal.csrf_token):
        raise Forbidden(_("The form is out of date; reload the page and try again."))
    return principal


Viewer = Annotated[Principal, Depends(page_principal)]
Sender = Annotated[Principal, Depends(form_principal)]


def secure_cookies() -> bool:
    """Cookies only over HTTPS: as configured, else in production."""
    settings = get_settings()
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return settings.environment == "production"
