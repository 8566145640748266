"""Sign-in, sign-out and who am I."""

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from services.api.auth import SESSION_COOKIE, Auth
from services.api.params import DbSession
from services.audit import service as audit_service
from services.config import get_settings
from services.i18n import set_language
from services.people import service as people_service
from services.people import signin
from services.people.schemas import LoginIn, MeOut, PasswordChangeIn, SignInLinkRedeemIn

router = APIRouter(prefix="/api/v1", tags=["people"])


def _me(principal: people_service.Principal) -> MeOut:
    return MeOut(
        username=principal.username,
        role=principal.role,
        team=principal.team,
        agent_id=principal.agent_id,
        area_ids=list(principal.area_ids),
        csrf_token=principal.csrf_token,
        display_name=principal.display_name,
        language=principal.language,
    )


@router.post("/auth/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response, db_session: DbSession) -> MeOut:
    """Signs in with a password; sets an HttpOnly session cookie and returns the CSRF token.

    Wrong credentials answer 401; after 5 password checks of a username within 15 minutes,
    429 with Retry-After, however many arrive at once.
    """
    settings = get_settings()
    user = signin.authenticate(
        db_session=db_session, username=body.username, password=body.password
    )
    if user.language:
        set_language(user.language)
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
    audit_service.record(db_session=db_session, action="auth.logout")
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/me/password", status_code=204)
def change_password(body: PasswordChangeIn, db_session: DbSession, principal: Auth) -> None:
    """Changes one's own password (the current one is checked, and counts towards the sign-in
    limit). Every other browser session of the user ends; this one stays. API tokens stay
    valid: revoke them with DELETE /api/v1/tokens/{id}."""
    user = signin.check_password(
        db_session=db_session, username=principal.username, password=body.current_password
    )
    ended = signin.set_password(
        db_session=db_session, user=user, password=body.new_password,
        keep_session_id=principal.session_id,
    )  # fmt: skip
    audit_service.record(
        db_session=db_session, action="auth.password_change", detail={"sessions_ended": ended}
    )


@router.post("/auth/sign-in-link", status_code=204)
def redeem_sign_in_link(body: SignInLinkRedeemIn, db_session: DbSession) -> None:
    """Sets a password with a one-time sign-in link (from an admin or an import); the link is
    used up. Then sign in with POST /auth/login."""
    signin.redeem_sign_in_link(db_session=db_session, link=body.link, password=body.password)


@router.get("/me", response_model=MeOut)
def me(principal: Auth) -> MeOut:
    """Who is signed in."""
    return _me(principal)
