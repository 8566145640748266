"""Managing people over the API and the command line: users, teams, areas and tokens, each
change audited (who, what, when, from where)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import column, delete, exists, func, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.db import unique
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.i18n import LANGUAGES, _
from services.people import service as people_service
from services.people.service import Principal
from services.people.tables import ApiToken, Area, BrowserSession, Role, Team, User, UserArea

# Objects of other domains that name a team or an area, read here without importing them.
_calls = table("calls", column("team"))
_rotation = table("rotation_assignments", column("area_id"))

USER_FIELDS = ("username", "display_name", "role", "team", "agent_id", "language", "hired_on")


def list_users(
    *, db_session: Session, role: str | None, team: str | None, active: bool | None
) -> Sequence[User]:
    """Users by username, filtered."""
    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.role == role)
    if team:
        query = query.where(User.team == team)
    if active is not None:
        query = query.where(User.active.is_(active))
    return db_session.scalars(query).all()


def get_user_or_raise(*, db_session: Session, user_id: int) -> User:
    """A user by id, or NotFound."""
    user = db_session.get(User, user_id)
    if user is None:
        raise NotFound(_("no user {user_id}", user_id=user_id))
    return user


def check_user(user: User) -> None:
    """Refuses a user whose role lacks what it needs."""
    if user.role not in Role.ALL:
        raise InvalidInput(_("unknown role {role}; roles: {roles}", role=user.role,
                             roles=", ".join(Role.ALL)))  # fmt: skip
    if user.role == Role.AGENT and not user.agent_id:
        raise InvalidInput(_("an agent user needs the agent id their recordings carry"))
    if user.role == Role.TEAM_LEAD and not user.team:
        raise InvalidInput(_("a team lead needs a team"))
    if user.language is not None and user.language not in LANGUAGES:
        raise InvalidInput(_("a language is one of {languages}", languages=", ".join(LANGUAGES)))


def update_user(*, db_session: Session, user: User, changes: dict[str, Any]) -> User:
    """Changes a user's fields (a rename, role, team, display name, language …)."""
    before = {field: _plain(getattr(user, field)) for field in changes if field in USER_FIELDS}
    for field, value in changes.items():
        if field in USER_FIELDS:
            setattr(user, field, value)
    check_user(user)
    if user.role != Role.INSPECTOR:  # only inspectors watch areas
        db_session.execute(delete(UserArea).where(UserArea.user_id == user.id))
    with unique(db_session, _("the username {name} is taken", name=user.username)):
        db_session.flush()
    after = {field: _plain(getattr(user, field)) for field in before}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_service.record(
        db_session=db_session, action="user.update", detail={"user": user.username, **changed}
    )
    return user


def check_may_set_active(*, by: Principal, user: User, active: bool) -> None:
    """Who may deactivate or activate whom, for the people page and the API alike.

    QA managers run the floor (DESIGN.md: they set sampling and the inspectors' rotation, and
    create people in the pages): when an inspector or agent leaves, they stop that person's
    access and work going to them without waiting for an administrator. Administrators alone
    change administrators, and nobody switches themselves off (that would lock a center out of
    its last manager)."""
    if by.role not in Role.MANAGERS:
        raise Forbidden(_("Only administrators and QA managers activate or deactivate people."))
    if user.id == by.user_id and not active:
        raise Conflict(_("You cannot deactivate yourself."))
    if user.role == Role.ADMIN and by.role != Role.ADMIN:
        raise Forbidden(_("Only an administrator changes administrators."))


def check_may_create(*, by: Principal, role: str) -> None:
    """Who may create (or send a sign-in link to) a person of ``role``, on the pages and over the
    API alike: administrators anyone; QA managers the people of the floor, anyone but an
    administrator (they staff the areas they sample and rotate, see ``check_may_set_active``)."""
    if by.role not in Role.MANAGERS:
        raise Forbidden(_("Only administrators and QA managers create people."))
    if role == Role.ADMIN and by.role != Role.ADMIN:
        raise Forbidden(_("Only an administrator creates administrators."))


def set_active(*, db_session: Session, user: User, active: bool, by: Principal) -> User:
    """Deactivates a user (their sessions end, their tokens stop working) or activates again,
    if ``by`` may (``check_may_set_active``)."""
    check_may_set_active(by=by, user=user, active=active)
    user.active = active
    if not active:
        db_session.execute(delete(BrowserSession).where(BrowserSession.user_id == user.id))
    db_session.flush()
    action = "user.activate" if active else "user.deactivate"
    audit_service.record(db_session=db_session, action=action, detail={"user": user.username})
    return user


def delete_user(*, db_session: Session, user: User) -> None:
    """Deletes a user whom nothing references (no reviews, evaluations, calibration answers)."""
    name = user.username
    _delete_unreferenced(db_session, user, _("{name} has work on record; deactivate them instead",
                                             name=name))  # fmt: skip
    audit_service.record(db_session=db_session, action="user.delete", detail={"user": name})


def list_teams(*, db_session: Session) -> list[tuple[Team, int]]:
    """Teams by name, each with how many active users it has."""
    members = (
        select(func.count()).where(User.team == Team.name, User.active.is_(True)).scalar_subquery()
    )
    rows = db_session.execute(select(Team, members).order_by(Team.name)).all()
    return [(team, int(count)) for team, count in rows]


def get_team_or_raise(*, db_session: Session, team_id: int) -> Team:
    """A team by id, or NotFound."""
    team = db_session.get(Team, team_id)
    if team is None:
        raise NotFound(_("no team {team_id}", team_id=team_id))
    return team


def create_team(*, db_session: Session, name: str, display_name: str | None) -> Team:
    """Registers a team by the name its users and recordings carry."""
    team = Team(name=name, display_name=display_name)
    with unique(db_session, _("a team named {name} exists", name=name)):
        db_session.add(team)
    audit_service.record(db_session=db_session, action="team.create", detail={"team": name})
    return team


def update_team(*, db_session: Session, team: Team, changes: dict[str, Any]) -> Team:
    """Changes a team's display name or whether it is active (its name is what calls carry)."""
    for field in ("display_name", "active"):
        if field in changes:
            setattr(team, field, changes[field])
    db_session.flush()
    audit_service.record(
        db_session=db_session, action="team.update",
        detail={"team": team.name, **{k: v for k, v in changes.items() if k != "name"}},
    )  # fmt: skip
    return team


def delete_team(*, db_session: Session, team: Team) -> None:
    """Deletes a team no user, area or call names."""
    in_use = (
        db_session.scalar(select(exists().where(User.team == team.name)))
        or db_session.scalar(select(exists().where(_calls.c.team == team.name)))
        or any(team.name in (area.teams or []) for area in db_session.scalars(select(Area)))
    )
    if in_use:
        raise Conflict(_("the team {name} is in use; deactivate it instead", name=team.name))
    db_session.delete(team)
    db_session.flush()
    audit_service.record(db_session=db_session, action="team.delete", detail={"team": team.name})


def list_areas(*, db_session: Session) -> list[tuple[Area, list[str]]]:
    """Areas by name, each with the usernames of the inspectors watching it now."""
    areas = db_session.scalars(select(Area).order_by(Area.name)).all()
    watching: dict[int, list[str]] = {}
    for area_id, username in db_session.execute(
        select(UserArea.area_id, User.username).join(User, User.id == UserArea.user_id)
    ):
        watching.setdefault(area_id, []).append(username)
    return [(area, sorted(watching.get(area.id, []))) for area in areas]


def get_area_or_raise(*, db_session: Session, area_id: int) -> Area:
    """An area by id, or NotFound."""
    area = db_session.get(Area, area_id)
    if area is None:
        raise NotFound(_("no area {area_id}", area_id=area_id))
    return area


def update_area(*, db_session: Session, area: Area, changes: dict[str, Any]) -> Area:
    """Renames an area, changes its queues and teams, or (de)activates it."""
    for field in ("name", "queues", "teams", "active"):
        if field in changes:
            setattr(area, field, changes[field])
    if changes.get("active") is False:  # nobody watches an inactive area
        db_session.execute(delete(UserArea).where(UserArea.area_id == area.id))
    with unique(db_session, _("an area named {name} exists", name=area.name)):
        db_session.flush()
    audit_service.record(
        db_session=db_session, action="area.update", detail={"area": area.id, **changes}
    )
    return area


def delete_area(*, db_session: Session, area: Area) -> None:
    """Deletes an area no inspector watches and no rotation ever used."""
    used = db_session.scalar(select(exists().where(UserArea.area_id == area.id))) or (
        db_session.scalar(select(exists().where(_rotation.c.area_id == area.id)))
    )
    if used:
        raise Conflict(_("the area {name} is in use; deactivate it instead", name=area.name))
    db_session.delete(area)
    db_session.flush()
    audit_service.record(
        db_session=db_session, action="area.delete", detail={"area": area.id, "name": area.name}
    )


def list_tokens(*, db_session: Session, user_id: int | None) -> list[tuple[ApiToken, str]]:
    """Tokens newest first with their user's username (never their secrets)."""
    query = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id.desc())
    )
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [(token, name) for token, name in db_session.execute(query)]


def _delete_unreferenced(db_session: Session, row: object, clash: str) -> None:
    try:
        with db_session.begin_nested():
            db_session.delete(row)
            db_session.flush()
    except IntegrityError:  # a RESTRICT foreign key: something still refers to it
        raise Conflict(clash) from None


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def add_user(*, db_session: Session, **fields: Any) -> User:
    """Creates a user (``service.create_user``'s fields), audited."""
    user = people_service.create_user(db_session=db_session, **fields)
    audit_service.record(
        db_session=db_session, action="user.create",
        detail={"user": user.username, "role": user.role, "team": user.team},
    )  # fmt: skip
    return user


def add_token(*, db_session: Session, user: User, name: str) -> str:
    """Creates an API token for ``user``, audited; returns the secret (shown once)."""
    secret = people_service.create_token(db_session=db_session, user=user, name=name)
    audit_service.record(
        db_session=db_session, action="token.create",
        detail={"token": int(secret.split("_")[1]), "user": user.username, "name": name},
    )  # fmt: skip
    return secret


def revoke_token(*, db_session: Session, token_id: int) -> None:
    """Revokes a token at once, audited."""
    people_service.revoke_token(db_session=db_session, token_id=token_id)
    audit_service.record(db_session=db_session, action="token.revoke", detail={"token": token_id})


def add_area(*, db_session: Session, name: str, queues: list[str], teams: list[str]) -> Area:
    """Creates an area, audited."""
    area = people_service.create_area(db_session=db_session, name=name, queues=queues, teams=teams)
    audit_service.record(
        db_session=db_session, action="area.create", detail={"area": area.id, "name": name}
    )
    return area


def assign_areas(*, db_session: Session, user: User, area_ids: list[int]) -> None:
    """Sets an inspector's current areas by hand, audited (people_service.assign_areas says
    what it refuses)."""
    people_service.assign_areas(db_session=db_session, user=user, area_ids=sorted(set(area_ids)))
    audit_service.record(
        db_session=db_session, action="area.assign",
        detail={"user": user.username, "areas": sorted(set(area_ids))},
    )  # fmt: skip
