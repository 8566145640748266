"""Sign-in, sign-out and who am I."""

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from services.api.auth import SESSION_COOKIE, Auth
from services.api.params import DbSession
from services.config import get_settings
from services.people import service as people_service
from services.people.schemas import LoginIn, MeOut

router = APIRouter(prefix="/api/v1", tags=["people"])


def _me(principal: people_service.Principal) -> MeOut:
    return MeOut(
        username=principal.username,
        role=principal.role,
        team=principal.team,
        agent_id=principal.agent_id,
        area_ids=list(principal.area_ids),
        csrf_token=principal.csrf_token,
    )


@router.post("/auth/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response, db_session: DbSession) -> MeOut:
    """Signs in with a password; sets an HttpOnly session cookie and returns the CSRF token."""
    settings = get_settings()
    address = request.client.host if request.client else None
    user = people_service.authenticate(
        db_session=db_session, username=body.username, password=body.password, address=address
    )
    lifetime = timedelta(hours=settings.session_hours)
    secret, csrf = people_service.create_session(
        db_session=db_session, user=user, lifetime=lifetime
    )
    secure = (
        settings.cookie_secure
        if settings.cookie_secure is not None
        else settings.environment == "production"
    )
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    principal = people_service.principal(
        db_session=db_session, user_id=user.id, via="session", csrf_token=csrf
    )
    assert principal is not None
    return _me(principal)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, db_session: DbSession, _principal: Auth) -> None:
    """Ends the browser session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        people_service.end_session(db_session=db_session, secret=cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=MeOut)
def me(principal: Auth) -> MeOut:
    """Who is signed in."""
    return _me(principal)
