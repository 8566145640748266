"""People: users, areas, API tokens, browser sessions and sign-in with brute-force slowing."""

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.db import aware, session_scope, unique, utcnow
from services.errors import InvalidInput, NotFound
from services.people.tables import (
    ApiToken,
    Area,
    BrowserSession,
    LoginFailure,
    Role,
    User,
    UserArea,
)
from services.types import MAX_ID

_hasher = PasswordHasher()
# Verifying against this when the user does not exist costs the same time as a real check.
_DUMMY_HASH = _hasher.hash("not a password")
TOKEN_PREFIX = "zj_"  # noqa: S105 - a prefix, not a secret
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10


class LoginThrottled(InvalidInput):
    """Too many failed sign-ins for this username: wait before trying again."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class BadCredentials(InvalidInput):
    """Unknown user or wrong password (deliberately not saying which)."""


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
        raise InvalidInput(f"unknown role {role!r}; roles: {', '.join(Role.ALL)}")
    if not username or len(username) > 150 or not username.isprintable():
        raise InvalidInput("a username is 1 to 150 printable characters")
    if role == Role.AGENT and not agent_id:
        raise InvalidInput("an agent user needs the agent id their recordings carry (--agent-id)")
    if role == Role.TEAM_LEAD and not team:
        raise InvalidInput("a team lead needs a team (--team)")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")
    return User(
        username=username,
        role=role,
        team=team,
        agent_id=agent_id,
        display_name=display_name,
        password_hash=_hasher.hash(password) if password else None,
    )


def get_by_username(*, db_session: Session, username: str) -> User | None:
    """Returns a user by username."""
    return db_session.scalars(select(User).where(User.username == username)).one_or_none()


def get_by_username_or_raise(*, db_session: Session, username: str) -> User:
    """Returns a user by username or raises NotFound."""
    user = get_by_username(db_session=db_session, username=username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def authenticate(*, db_session: Session, username: str, password: str, address: str | None) -> User:
    """Checks a password; repeated failures for a username are refused for a while."""
    since = utcnow() - FAILURE_WINDOW
    failures = db_session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.username == username, LoginFailure.at > since)
        .order_by(LoginFailure.at)
    ).all()
    if len(failures) >= MAX_FAILURES:
        oldest = aware(failures[-MAX_FAILURES])
        raise LoginThrottled(max(1, int((oldest + FAILURE_WINDOW - utcnow()).total_seconds())))
    user = get_by_username(db_session=db_session, username=username)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
        ok = user is not None and user.active and user.password_hash is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        _record_failure(username=username, address=address)
        raise BadCredentials("unknown username or wrong password")
    db_session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    db_session.flush()
    return user


def _record_failure(*, username: str, address: str | None) -> None:
    # Its own unit of work, committed at once: the sign-in fails, and its request is rolled
    # back, but the failure must count towards the throttle.
    with session_scope() as db_session:
        db_session.add(LoginFailure(username=username[:150], address=address))


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
        raise NotFound(f"no token {token_id}")
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
    *, db_session: Session, user_id: int, via: str, csrf_token: str | None = None
) -> Principal | None:
    """The principal for an active user."""
    user = db_session.get(User, user_id)
    if user is None or not user.active:
        return None
    areas = tuple(db_session.scalars(select(UserArea.area_id).where(UserArea.user_id == user.id)))
    return Principal(
        user.id, user.username, user.role, user.team, user.agent_id, areas, via, csrf_token
    )


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
        db_session=db_session, user_id=row.user_id, via="session", csrf_token=row.csrf_token
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
    """Sets an inspector's current areas."""
    db_session.execute(delete(UserArea).where(UserArea.user_id == user.id))
    for area_id in area_ids:
        db_session.add(UserArea(user_id=user.id, area_id=area_id))
    db_session.flush()


def areas(*, db_session: Session, area_ids: tuple[int, ...]) -> list[Area]:
    """Areas by id."""
    if not area_ids:
        return []
    return list(db_session.scalars(select(Area).where(Area.id.in_(area_ids))))


def import_users(*, db_session: Session, text: str) -> int:
    """Creates users from CSV (username, role, team, agent_id, display_name, hired_on); all or none.

    Users are created without a password: they sign in once an admin sets one, or use tokens.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = {"username", "role"} - set(rows[0] if rows else {})
    if missing:
        raise InvalidInput(
            f"the CSV needs the columns username and role (missing {', '.join(sorted(missing))})"
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
                    password=None,
                    team=(row.get("team") or "").strip() or None,
                    agent_id=(row.get("agent_id") or "").strip() or None,
                    display_name=(row.get("display_name") or "").strip() or None,
                )
            )
            users[-1].hired_on = hired_on
        except (InvalidInput, ValueError) as exc:  # ValueError: a hired_on that is not a date
            raise InvalidInput(f"line {number}: {exc}") from None
    with unique(db_session, "a username in the CSV is taken or repeated; nothing was imported"):
        db_session.add_all(users)
    db_session.flush()
    return len(users)


def set_password(*, db_session: Session, user: User, password: str) -> None:
    """Sets a user's password."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")
    user.password_hash = _hasher.hash(password)
    db_session.flush()


def count(*, db_session: Session) -> int:
    """How many users exist."""
    return int(db_session.scalar(select(func.count()).select_from(User)) or 0)
