"""Authentication (bearer tokens for integrations, cookie sessions with CSRF for people) and
role checks. Which objects a principal may see is decided in each domain's service."""

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPBearer

from services import context
from services.api.params import DbSession
from services.config import get_settings
from services.errors import Forbidden, Unauthenticated
from services.i18n import _, set_language
from services.people import service as people_service
from services.people.service import Principal, Role

SESSION_COOKIE = "zhijian_session"
CSRF_HEADER = "X-CSRF-Token"
WEBHOOK_SECRET_HEADER = "X-Zhijian-Webhook-Secret"  # noqa: S105 - a header name
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The credentials as the OpenAPI document declares them (the "Authorize" button of /docs;
# services/api/openapi.py says which go together); the functions below read the headers
# themselves, so these never refuse anything.
BEARER_SCHEME = HTTPBearer(
    scheme_name="bearerToken",
    description="An API token (zj_…) from `zhijian tokens create`, sent as "
    "`Authorization: Bearer <token>`.",
    auto_error=False,
)
SESSION_SCHEME = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="sessionCookie",
    description="The session `POST /api/v1/auth/login` starts: the browser keeps the cookie and "
    "sends it by itself (sign in on this page, then enter anything here).",
    auto_error=False,
)
CSRF_SCHEME = APIKeyHeader(
    name=CSRF_HEADER,
    scheme_name="csrfToken",
    description="The `csrf_token` sign-in answered with; a signed-in session sends it on "
    "every changing request.",
    auto_error=False,
)
WEBHOOK_SCHEME = APIKeyHeader(
    name=WEBHOOK_SECRET_HEADER,
    scheme_name="webhookSecret",
    description="The S3 event webhook's shared secret (ZHIJIAN_S3_WEBHOOK_SECRET).",
    auto_error=False,
)


async def _documented(
    _bearer: Annotated[object, Security(BEARER_SCHEME)],
    _session: Annotated[object, Security(SESSION_SCHEME)],
    _csrf: Annotated[object, Security(CSRF_SCHEME)],
) -> None:
    """Declares the schemes ``current_principal`` reads to the OpenAPI document."""


def current_principal(
    request: Request, db_session: DbSession, _schemes: Annotated[None, Depends(_documented)] = None
) -> Principal:
    """Who is calling; 401 without valid credentials, 403 on a session change without CSRF.

    From here on the request speaks the user's language (when they chose one) and its audit
    entries name them.
    """
    found = _authenticate(request, db_session)
    if found.language:
        set_language(found.language)
    now = context.current()
    if now is not None:
        now.actor = found.username
    return found


def _authenticate(request: Request, db_session: DbSession) -> Principal:
    header = request.headers.get("authorization")
    if header:
        scheme, _sep, raw = header.partition(" ")
        found = (
            people_service.principal_from_token(db_session=db_session, raw=raw.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if found is None:
            raise Unauthenticated(
                _("the bearer token is not valid (unknown, malformed or revoked)")
            )
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = people_service.principal_from_session(db_session=db_session, secret=cookie)
        if found is None:
            raise Unauthenticated(_("the session has ended; sign in again"))
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not found.csrf_token or not hmac.compare_digest(sent, found.csrf_token):
                raise Forbidden(
                    _(
                        "a signed-in change needs the {CSRF_HEADER} header from sign-in",
                        CSRF_HEADER=CSRF_HEADER,
                    )
                )
        return found
    raise Unauthenticated(_("sign in, or send Authorization: Bearer <token>"))


Auth = Annotated[Principal, Depends(current_principal)]


def require(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that admits only ``roles``."""

    def check(principal: Auth) -> Principal:
        if principal.role not in roles:
            raise Forbidden(_("this needs the role {roles}", roles=" or ".join(roles)))
        return principal

    return check


Managers = Annotated[Principal, Depends(require(*Role.MANAGERS))]
Reviewers = Annotated[Principal, Depends(require(Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR))]


def webhook_principal(
    request: Request,
    db_session: DbSession,
    _scheme: Annotated[object, Security(WEBHOOK_SCHEME)] = None,
) -> Principal:
    """The S3 webhook: a manager's token, or the configured shared secret."""
    secret = get_settings().s3_webhook_secret
    sent = request.headers.get(WEBHOOK_SECRET_HEADER)
    if secret and sent is not None:
        if not hmac.compare_digest(sent, secret):
            raise Unauthenticated(_("the webhook secret is wrong"))
        return Principal(0, "s3-webhook", Role.QA_MANAGER, None, None, (), "secret")
    principal = current_principal(request, db_session)
    if principal.role not in Role.MANAGERS:
        raise Forbidden(_("the webhook needs a manager's token or the shared secret"))
    return principal


Webhook = Annotated[Principal, Depends(webhook_principal)]
