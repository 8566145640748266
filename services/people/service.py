"""People: users, areas, API tokens, browser sessions and sign-in with brute-force slowing."""

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.db import aware, unique, utcnow
from services.errors import InvalidInput, NotFound
from services.i18n import _
from services.people.signin import hash_password
from services.people.tables import (
    ApiToken,
    Area,
    BrowserSession,
    Role,
    User,
    UserArea,
)
from services.types import MAX_ID

TOKEN_PREFIX = "zj_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in person or an integration token's user."""

    user_id: int
    username: str
    role: str
    team: str | None
    agent_id: str | None
    area_ids: tuple[int, ...]
    via: str  # session | token | secret
    csrf_token: str | None = None
    language: str | None = None  # the user's choice, else the request's
    display_name: str | None = None
    session_id: int | None = None  # the browser session it came by


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    *,
    db_session: Session,
    username: str,
    role: str,
    password: str | None,
    team: str | None = None,
    agent_id: str | None = None,
    display_name: str | None = None,
    hired_on: date | None = None,
) -> User:
    """Creates a user; the password is stored as an argon2 hash."""
    user = _new_user(username=username, role=role, password=password, team=team,
                     agent_id=agent_id, display_name=display_name)  # fmt: skip
    user.hired_on = hired_on
    with unique(db_session, f"the username {username!r} is taken"):
        db_session.add(user)
    db_session.flush()
    return user


def _new_user(
    *,
    username: str,
    role: str,
    password: str | None,
    team: str | None,
    agent_id: str | None,
    display_name: str | None,
) -> User:
    """A validated, unsaved user."""
    if role not in Role.ALL:
        raise InvalidInput(
            _("unknown role {role!r}; roles: {roles}", role=role, roles=", ".join(Role.ALL))
        )
    if not username or len(username) > 150 or not username.isprintable():
        raise InvalidInput(_("a username is 1 to 150 printable characters"))
    if role == Role.AGENT and not agent_id:
        raise InvalidInput(
            _("an agent user needs the agent id their recordings carry (--agent-id)")
        )
    if role == Role.TEAM_LEAD and not team:
        raise InvalidInput(_("a team lead needs a team (--team)"))
    return User(
        username=username,
        role=role,
        team=team,
        agent_id=agent_id,
        display_name=display_name,
        password_hash=hash_password(password) if password else None,
    )


def get_by_username(*, db_session: Session, username: str) -> User | None:
    """Returns a user by username."""
    return db_session.scalars(select(User).where(User.username == username)).one_or_none()


def get_by_username_or_raise(*, db_session: Session, username: str) -> User:
    """Returns a user by username or raises NotFound."""
    user = get_by_username(db_session=db_session, username=username)
    if user is None:
        raise NotFound(_("no user {username!r}", username=username))
    return user


def create_token(*, db_session: Session, user: User, name: str = "api") -> str:
    """Creates an API token for ``user``; the returned secret is shown once and kept hashed."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, secret_hash=_digest(secret))
    db_session.add(token)
    db_session.flush()
    return f"{TOKEN_PREFIX}{token.id}_{secret}"


def revoke_token(*, db_session: Session, token_id: int) -> None:
    """Revokes a token at once."""
    token = db_session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("no token {token_id}", token_id=token_id))
    token.revoked_at = utcnow()
    db_session.flush()


def principal_from_token(*, db_session: Session, raw: str) -> Principal | None:
    """The principal behind a bearer token, or None if it is unknown, malformed or revoked."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token_id, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    # ASCII digits within BIGINT: isdigit() admits "²", which int() refuses, and ids end there.
    if not (token_id.isascii() and token_id.isdigit() and int(token_id) <= MAX_ID) or not secret:
        return None
    token = db_session.get(ApiToken, int(token_id))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    return principal(db_session=db_session, user_id=token.user_id, via="token")


def principal(
    *,
    db_session: Session,
    user_id: int,
    via: str,
    csrf_token: str | None = None,
    session_id: int | None = None,
) -> Principal | None:
    """The principal for an active user."""
    user = db_session.get(User, user_id)
    if user is None or not user.active:
        return None
    areas = tuple(current_areas(db_session=db_session, user_id=user.id))
    return Principal(
        user.id, user.username, user.role, user.team, user.agent_id, areas, via, csrf_token,
        language=user.language, display_name=user.display_name, session_id=session_id,
    )  # fmt: skip


def create_session(*, db_session: Session, user: User, lifetime: timedelta) -> tuple[str, str]:
    """Starts a browser session; returns (cookie secret, CSRF token)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db_session.add(
        BrowserSession(
            user_id=user.id,
            secret_hash=_digest(secret),
            csrf_token=csrf,
            expires_at=utcnow() + lifetime,
        )
    )
    db_session.flush()
    return secret, csrf


def principal_from_session(*, db_session: Session, secret: str) -> Principal | None:
    """The principal of a live browser session."""
    row = db_session.scalars(
        select(BrowserSession).where(BrowserSession.secret_hash == _digest(secret))
    ).one_or_none()
    if row is None or aware(row.expires_at) < utcnow():
        return None
    return principal(
        db_session=db_session,
        user_id=row.user_id,
        via="session",
        csrf_token=row.csrf_token,
        session_id=row.id,
    )


def end_session(*, db_session: Session, secret: str) -> None:
    """Signs a browser out."""
    db_session.execute(delete(BrowserSession).where(BrowserSession.secret_hash == _digest(secret)))
    db_session.flush()


def create_area(*, db_session: Session, name: str, queues: list[str], teams: list[str]) -> Area:
    """Creates an area: the calls of these queues and teams."""
    area = Area(name=name, queues=queues, teams=teams)
    with unique(db_session, f"an area named {name!r} exists"):
        db_session.add(area)
    db_session.flush()
    return area


def assign_areas(*, db_session: Session, user: User, area_ids: list[int]) -> None:
    """Sets an inspector's current areas, by hand or from a rotation plan (see current_areas).

    Only inspectors watch areas; every area must exist and be active.
    """
    if user.role != Role.INSPECTOR:
        raise InvalidInput(
            _(
                "only inspectors watch areas; {username} is {role}",
                username=user.username,
                role=user.role,
            )
        )
    wanted = sorted(set(area_ids))
    storable = [a for a in wanted if 0 < a < 2**63]  # others cannot exist, nor be queried
    known = set(
        db_session.scalars(select(Area.id).where(Area.id.in_(storable), Area.active.is_(True)))
    )
    unknown = [area_id for area_id in wanted if area_id not in known]
    if unknown:
        raise NotFound(_("no area with id {ids}", ids=", ".join(map(str, unknown))))
    db_session.execute(delete(UserArea).where(UserArea.user_id == user.id))
    for area_id in wanted:
        db_session.add(UserArea(user_id=user.id, area_id=area_id))
    db_session.flush()


def current_areas(*, db_session: Session, user_id: int) -> list[int]:
    """The one answer to "which areas does this inspector watch now": the areas the people
    tables hold for them, which a rotation plan sets when it is planned and ``zhijian areas
    assign`` (or the API) changes by hand. Assignment, rotation and call visibility read this."""
    return list(
        db_session.scalars(
            select(UserArea.area_id).where(UserArea.user_id == user_id).order_by(UserArea.area_id)
        )
    )


def watchers(*, db_session: Session) -> dict[int, list[int]]:
    """Area id → the active inspectors watching it now (their current areas), lowest id first."""
    rows = db_session.execute(
        select(UserArea.area_id, UserArea.user_id)
        .join(User, User.id == UserArea.user_id)
        .where(User.role == Role.INSPECTOR, User.active.is_(True))
        .order_by(UserArea.area_id, UserArea.user_id)
    ).all()
    found: dict[int, list[int]] = {}
    for area_id, user_id in rows:
        found.setdefault(int(area_id), []).append(int(user_id))
    return found


def areas(*, db_session: Session, area_ids: tuple[int, ...]) -> list[Area]:
    """Areas by id."""
    if not area_ids:
        return []
    return list(db_session.scalars(select(Area).where(Area.id.in_(area_ids))))


def import_users(
    *, db_session: Session, text: str, initial_password: str | None = None
) -> list[User]:
    """Creates users from CSV (username, role, team, agent_id, display_name, hired_on); all or none.

    Users get ``initial_password``, or none: then they sign in once they set one with a
    sign-in link (``signin.create_sign_in_link``) or an admin sets it.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = {"username", "role"} - set(rows[0] if rows else {})
    if missing:
        raise InvalidInput(
            _(
                "the CSV needs the columns username and role (missing {missing})",
                missing=", ".join(sorted(missing)),
            )
        )
    users = []
    for number, row in enumerate(rows, start=2):
        try:
            hired = (row.get("hired_on") or "").strip()
            hired_on = date.fromisoformat(hired) if hired else None
            users.append(
                _new_user(
                    username=(row.get("username") or "").strip(),
                    role=(row.get("role") or "").strip(),
                    password=initial_password,
                    team=(row.get("team") or "").strip() or None,
                    agent_id=(row.get("agent_id") or "").strip() or None,
                    display_name=(row.get("display_name") or "").strip() or None,
                )
            )
            users[-1].hired_on = hired_on
        except (InvalidInput, ValueError) as exc:  # ValueError: a hired_on that is not a date
            raise InvalidInput(_("line {number}: {exc}", number=number, exc=exc)) from None
    with unique(db_session, "a username in the CSV is taken or repeated; nothing was imported"):
        db_session.add_all(users)
    db_session.flush()
    return users


def count(*, db_session: Session) -> int:
    """How many users exist."""
    return int(db_session.scalar(select(func.count()).select_from(User)) or 0)
