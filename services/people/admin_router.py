"""People over the API: users (admins; QA managers list them, create, import, link and switch on
and off anyone but administrators, as on the pages), tokens (admins), teams and areas (admins
and QA managers)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.api.auth import Managers, Reviewers, require
from services.api.params import DbSession, Id
from services.audit import service as audit_service
from services.errors import Conflict, Forbidden
from services.i18n import _
from services.people import manage, signin
from services.people import service as people_service
from services.people.schemas import (
    AreaIn,
    AreaOut,
    AreaPatch,
    PasswordSetIn,
    SignInLinkOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenIn,
    TokenOut,
    UserImportIn,
    UserIn,
    UserOut,
    UserPatch,
)
from services.people.service import Principal
from services.people.tables import ApiToken, Area, Role, Team, User
from services.types import MAX_ID

router = APIRouter(prefix="/api/v1", tags=["people"])
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
# Fields that cannot be emptied: null for them means "leave as is".
_REQUIRED = ("username", "role", "active")


def _user_out(db_session: DbSession, user: User, link: SignInLinkOut | None = None) -> UserOut:
    out = UserOut.model_validate(
        {
            **{f: getattr(user, f) for f in UserOut.model_fields if hasattr(user, f)},
            "has_password": user.password_hash is not None,
            "area_ids": people_service.current_areas(db_session=db_session, user_id=user.id),
        }
    )
    out.sign_in_link = link
    return out


def _link(db_session: DbSession, user: User) -> SignInLinkOut:
    secret, expires = signin.create_sign_in_link(db_session=db_session, user=user)
    audit_service.record(
        db_session=db_session, action="user.sign_in_link", detail={"user": user.username}
    )
    return SignInLinkOut(username=user.username, link=secret, expires_at=expires)


@router.get("/users", response_model=list[UserOut])
def list_users(
    db_session: DbSession,
    _principal: Managers,
    role: Annotated[str | None, Query(max_length=32)] = None,
    team: Annotated[str | None, Query(max_length=255)] = None,
    active: bool | None = None,
) -> list[UserOut]:
    """Users by username."""
    users = manage.list_users(db_session=db_session, role=role, team=team, active=active)
    return [_user_out(db_session, u) for u in users]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, db_session: DbSession, principal: Managers) -> UserOut:
    """Creates a user with an initial password, or with a one-time sign-in link (returned once).
    QA managers create anyone but administrators (``manage.check_may_create``)."""
    manage.check_may_create(by=principal, role=body.role)
    fields = body.model_dump(exclude={"password", "sign_in_link", "language"})
    user = manage.add_user(db_session=db_session, password=body.password, **fields)
    user.language = body.language
    return _user_out(db_session, user, _link(db_session, user) if body.sign_in_link else None)


@router.post("/users/import", response_model=list[UserOut], status_code=201)
def import_users(body: UserImportIn, db_session: DbSession, principal: Managers) -> list[UserOut]:
    """Creates users from CSV, all or none: with an initial password, or a one-time sign-in
    link each (returned once). QA managers import anyone but administrators."""
    users = people_service.import_users(
        db_session=db_session, text=body.csv, initial_password=body.initial_password
    )
    for user in users:  # checked before anything is committed: all or none
        manage.check_may_create(by=principal, role=user.role)
    audit_service.record(
        db_session=db_session, action="user.import",
        detail={"users": [u.username for u in users]},
    )  # fmt: skip
    return [
        _user_out(db_session, u, _link(db_session, u) if body.sign_in_links else None)
        for u in users
    ]


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: Id, db_session: DbSession, _principal: Managers) -> UserOut:
    """One user."""
    return _user_out(db_session, manage.get_user_or_raise(db_session=db_session, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: Id, body: UserPatch, db_session: DbSession, principal: Managers
) -> UserOut:
    """Renames a user, changes their role, team, display name, language, areas or whether they
    are active (deactivating ends their sessions; their tokens stop working). Administrators
    change anything; QA managers only whether a person other than an administrator is active,
    as on the people page (one rule: ``manage.check_may_set_active``)."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if principal.role != Role.ADMIN and set(changes) - {"active"}:
        raise Forbidden(_("Only an administrator changes a person's details."))
    user = manage.get_user_or_raise(db_session=db_session, user_id=user_id)
    changes = {k: v for k, v in changes.items() if v is not None or k not in _REQUIRED}
    active, area_ids = changes.pop("active", None), changes.pop("area_ids", None)
    if user.id == principal.user_id and changes.get("role", Role.ADMIN) != Role.ADMIN:
        raise Conflict(_("an admin cannot deactivate or demote themselves"))
    if active is not None:  # refused alike whether or not it would change anything
        manage.check_may_set_active(by=principal, user=user, active=active)
    if changes:
        manage.update_user(db_session=db_session, user=user, changes=changes)
    if active is not None and active != user.active:
        manage.set_active(db_session=db_session, user=user, active=active, by=principal)
    if area_ids is not None:
        manage.assign_areas(db_session=db_session, user=user, area_ids=area_ids)
    return _user_out(db_session, user)


@router.delete("/users/{user_id}", status_code=204)
def delete_user(user_id: Id, db_session: DbSession, admin: Admin) -> None:
    """Deletes a user nothing refers to (409 otherwise: deactivate them instead)."""
    user = manage.get_user_or_raise(db_session=db_session, user_id=user_id)
    if user.id == admin.user_id:
        raise Conflict(_("an admin cannot delete themselves"))
    manage.delete_user(db_session=db_session, user=user)


@router.post("/users/{user_id}/password", status_code=204)
def set_password(user_id: Id, body: PasswordSetIn, db_session: DbSession, _admin: Admin) -> None:
    """Sets a user's password; all their browser sessions end (tokens stay valid)."""
    user = manage.get_user_or_raise(db_session=db_session, user_id=user_id)
    ended = signin.set_password(db_session=db_session, user=user, password=body.password)
    audit_service.record(
        db_session=db_session, action="user.password_set",
        detail={"user": user.username, "sessions_ended": ended},
    )  # fmt: skip


@router.post("/users/{user_id}/sign-in-link", response_model=SignInLinkOut, status_code=201)
def sign_in_link(user_id: Id, db_session: DbSession, principal: Managers) -> SignInLinkOut:
    """A new one-time sign-in link for a user (earlier unused ones stop working); QA managers
    for anyone but administrators."""
    user = manage.get_user_or_raise(db_session=db_session, user_id=user_id)
    manage.check_may_create(by=principal, role=user.role)
    return _link(db_session, user)


def _team_out(team: Team, members: int) -> TeamOut:
    return TeamOut(id=team.id, name=team.name, display_name=team.display_name,
                   active=team.active, members=members)  # fmt: skip


@router.get("/teams", response_model=list[TeamOut])
def list_teams(db_session: DbSession, _principal: Managers) -> list[TeamOut]:
    """Teams by name."""
    return [_team_out(t, n) for t, n in manage.list_teams(db_session=db_session)]


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(body: TeamIn, db_session: DbSession, _principal: Managers) -> TeamOut:
    """Registers a team."""
    team = manage.create_team(db_session=db_session, name=body.name, display_name=body.display_name)
    return _team_out(team, 0)


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(team_id: Id, body: TeamPatch, db_session: DbSession, _p: Managers) -> TeamOut:
    """Changes a team's display name, or deactivates it."""
    team = manage.get_team_or_raise(db_session=db_session, team_id=team_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items()
               if v is not None or k == "display_name"}  # fmt: skip
    manage.update_team(db_session=db_session, team=team, changes=changes)
    members = dict((t.id, n) for t, n in manage.list_teams(db_session=db_session))
    return _team_out(team, members.get(team.id, 0))


@router.delete("/teams/{team_id}", status_code=204)
def delete_team(team_id: Id, db_session: DbSession, _principal: Managers) -> None:
    """Deletes a team nothing names (409 otherwise: deactivate it instead)."""
    team = manage.get_team_or_raise(db_session=db_session, team_id=team_id)
    manage.delete_team(db_session=db_session, team=team)


def _area_out(area: Area, inspectors: list[str]) -> AreaOut:
    return AreaOut(id=area.id, name=area.name, queues=list(area.queues), teams=list(area.teams),
                   active=area.active, inspectors=inspectors)  # fmt: skip


@router.get("/areas", response_model=list[AreaOut])
def list_areas(db_session: DbSession, _principal: Reviewers) -> list[AreaOut]:
    """Areas by name, with the inspectors watching each now."""
    return [_area_out(a, names) for a, names in manage.list_areas(db_session=db_session)]


@router.post("/areas", response_model=AreaOut, status_code=201)
def create_area(body: AreaIn, db_session: DbSession, _principal: Managers) -> AreaOut:
    """Creates an area: the calls of these queues and teams."""
    area = manage.add_area(db_session=db_session, name=body.name, queues=body.queues,
                           teams=body.teams)  # fmt: skip
    return _area_out(area, [])


@router.patch("/areas/{area_id}", response_model=AreaOut)
def update_area(area_id: Id, body: AreaPatch, db_session: DbSession, _p: Managers) -> AreaOut:
    """Renames an area, changes its queues or teams, or deactivates it (nobody watches it then)."""
    area = manage.get_area_or_raise(db_session=db_session, area_id=area_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    manage.update_area(db_session=db_session, area=area, changes=changes)
    watching = dict((a.id, names) for a, names in manage.list_areas(db_session=db_session))
    return _area_out(area, watching.get(area.id, []))


@router.delete("/areas/{area_id}", status_code=204)
def delete_area(area_id: Id, db_session: DbSession, _principal: Managers) -> None:
    """Deletes an area no inspector watches and no rotation used (409 otherwise)."""
    area = manage.get_area_or_raise(db_session=db_session, area_id=area_id)
    manage.delete_area(db_session=db_session, area=area)


def _token_out(token: ApiToken, username: str, secret: str | None = None) -> TokenOut:
    return TokenOut(
        id=token.id,
        user_id=token.user_id,
        username=username,
        name=token.name,
        created_at=token.created_at,
        revoked_at=token.revoked_at,
        token=secret,
    )


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    db_session: DbSession,
    _admin: Admin,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[TokenOut]:
    """API tokens newest first (never their secrets)."""
    return [_token_out(t, n) for t, n in manage.list_tokens(db_session=db_session, user_id=user_id)]


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, db_session: DbSession, _admin: Admin) -> TokenOut:
    """A new API token for a user; its secret is in this answer only."""
    user = manage.get_user_or_raise(db_session=db_session, user_id=body.user_id)
    secret = manage.add_token(db_session=db_session, user=user, name=body.name)
    token = db_session.get(ApiToken, int(secret.split("_")[1]))
    assert token is not None
    return _token_out(token, user.username, secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, db_session: DbSession, _admin: Admin) -> None:
    """Revokes a token at once."""
    manage.revoke_token(db_session=db_session, token_id=token_id)
