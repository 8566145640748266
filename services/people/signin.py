"""Signing in: password checks that parallel guessing cannot outrun, password changes that end
the other sessions, and one-time sign-in links with which a new user sets a password."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.config import get_settings
from services.db import aware, session_scope, utcnow
from services.errors import InvalidInput, NotFound, Unauthenticated
from services.i18n import _
from services.people.tables import BrowserSession, LoginThrottle, SignInLink, User

_hasher = PasswordHasher()
# Verifying against this when the user does not exist costs the same time as a real check.
_DUMMY_HASH = _hasher.hash("not a password")
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
LINK_PREFIX = "zjl_"


class LoginThrottled(InvalidInput):
    """Too many sign-ins for this username in the window: wait before trying again."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            _("too many failed sign-ins; try again in {seconds} s", seconds=retry_after_s)
        )
        self.retry_after_s = retry_after_s


class BadCredentials(Unauthenticated):
    """Unknown user or wrong password (deliberately not saying which)."""


@dataclass(frozen=True)
class _Candidate:
    user_id: int | None
    password_hash: str | None
    active: bool


def hash_password(password: str) -> str:
    """The argon2 hash of an acceptable password."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("a password has at least {count} characters", count=MIN_PASSWORD))
    return _hasher.hash(password)


def authenticate(*, db_session: Session, username: str, password: str) -> User:
    """The user, if the password is theirs; every sign-in and failure is audited."""
    user = check_password(db_session=db_session, username=username, password=password)
    audit_service.record(db_session=db_session, username=user.username, action="auth.login")
    return user


def check_password(*, db_session: Session, username: str, password: str) -> User:
    """Checks a password; at most ``MAX_FAILURES`` checks per username and window are made.

    The attempt is claimed (and committed) before the slow password check, so parallel
    guesses each take one of the few claims; a success gives the claims back. Until then the
    request's own session is not used: a failure holds one database connection at a time.
    """
    candidate = _claim_attempt(username)
    hashed = candidate.password_hash if candidate.active and candidate.password_hash else None
    try:
        _hasher.verify(hashed or _DUMMY_HASH, password)
        ok = hashed is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or candidate.user_id is None:
        _audit_alone(username=username, action="auth.login_failed")
        raise BadCredentials(_("unknown username or wrong password"))
    db_session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
    user = db_session.get(User, candidate.user_id)
    if user is None:  # deleted meanwhile
        raise BadCredentials(_("unknown username or wrong password"))
    return user


def _claim_attempt(username: str) -> _Candidate:
    """Takes one of the window's password checks for ``username``, or raises LoginThrottled."""
    now = utcnow()
    window_over = LoginThrottle.window_start <= now - FAILURE_WINDOW
    with session_scope() as db_session:
        _ensure_throttle_row(db_session, username, now)
        # One conditional UPDATE: the database serialises the writers of the row, and each
        # re-reads the count the previous one left, so no more than MAX_FAILURES get through.
        claimed = db_session.execute(
            update(LoginThrottle)
            .where(
                LoginThrottle.username == username,
                or_(window_over, LoginThrottle.attempts < MAX_FAILURES),
            )
            .values(
                attempts=case((window_over, 1), else_=LoginThrottle.attempts + 1),
                window_start=case((window_over, now), else_=LoginThrottle.window_start),
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            started = db_session.scalar(
                select(LoginThrottle.window_start).where(LoginThrottle.username == username)
            )
            retry = aware(started or now) + FAILURE_WINDOW - now
            throttled = LoginThrottled(max(1, int(retry.total_seconds())))
        else:
            user = db_session.scalars(select(User).where(User.username == username)).first()
            if user is None:
                return _Candidate(None, None, active=False)
            return _Candidate(user.id, user.password_hash, active=user.active)
    _audit_alone(username=username, action="auth.login_throttled")
    raise throttled


def _ensure_throttle_row(db_session: Session, username: str, now: datetime) -> None:
    dialect = db_session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db_session.execute(
        insert(LoginThrottle)
        .values(username=username, attempts=0, window_start=now)
        .on_conflict_do_nothing(index_elements=["username"])
    )


def _audit_alone(*, username: str, action: str) -> None:
    # Its own unit of work, committed at once: the sign-in fails and its request is rolled
    # back, but the attempt stays on record.
    with session_scope() as db_session:
        audit_service.record(db_session=db_session, username=username, action=action)


def set_password(
    *, db_session: Session, user: User, password: str, keep_session_id: int | None = None
) -> int:
    """Sets a user's password and ends their browser sessions (but ``keep_session_id``, the
    one that changed it) and unused sign-in links; returns how many sessions ended.

    API tokens stay valid: they are an integration's credentials, revoked on their own.
    """
    user.password_hash = hash_password(password)
    ended = db_session.execute(
        delete(BrowserSession).where(
            BrowserSession.user_id == user.id,
            BrowserSession.id != (keep_session_id or 0),
        )
    ).rowcount  # type: ignore[attr-defined]
    db_session.execute(
        delete(SignInLink).where(SignInLink.user_id == user.id, SignInLink.used_at.is_(None))
    )
    db_session.flush()
    return int(ended or 0)


def create_sign_in_link(*, db_session: Session, user: User) -> tuple[str, datetime]:
    """A one-time secret with which ``user`` sets a password; returns it (shown once) and when
    it expires. Earlier unused links of the user stop working."""
    db_session.execute(
        delete(SignInLink).where(SignInLink.user_id == user.id, SignInLink.used_at.is_(None))
    )
    secret = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=get_settings().sign_in_link_hours)
    db_session.add(SignInLink(user_id=user.id, secret_hash=_digest(secret), expires_at=expires))
    db_session.flush()
    return f"{LINK_PREFIX}{secret}", expires


def redeem_sign_in_link(*, db_session: Session, link: str, password: str) -> User:
    """Sets the password of the link's user and uses the link up; an unknown, used or expired
    link is refused alike. The link is taken by a conditional UPDATE: used once, even twice at
    the same moment."""
    secret = link.removeprefix(LINK_PREFIX)
    hashed = hash_password(password)
    now = utcnow()
    taken = db_session.execute(
        update(SignInLink)
        .where(
            SignInLink.secret_hash == _digest(secret),
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(SignInLink.user_id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    user = db_session.get(User, taken) if taken is not None else None
    if user is None or not user.active:
        raise NotFound(_("this sign-in link is unknown, used or expired; ask for a new one"))
    user.password_hash = hashed
    db_session.execute(delete(BrowserSession).where(BrowserSession.user_id == user.id))
    audit_service.record(
        db_session=db_session, username=user.username, action="auth.sign_in_link_used"
    )
    db_session.flush()
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
