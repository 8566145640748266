"""People and organisation: users with roles, areas, API tokens, browser sessions."""

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class Role:
    """What a person may do; see services/api/auth.py for who sees which calls."""

    ADMIN = "admin"
    QA_MANAGER = "qa_manager"
    INSPECTOR = "inspector"
    TEAM_LEAD = "team_lead"
    TRAINING_LEAD = "training_lead"
    AGENT = "agent"

    ALL = (ADMIN, QA_MANAGER, INSPECTOR, TEAM_LEAD, TRAINING_LEAD, AGENT)
    MANAGERS = (ADMIN, QA_MANAGER)
    SEE_ALL = (ADMIN, QA_MANAGER, TRAINING_LEAD)  # every call, evaluation and ladder


class User(Base):
    """A person (or an integration) who signs in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(255), index=True)
    # The agent id recordings carry, for an agent user.
    agent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # zh_CN or en: the API answers this user in it (None: the request's Accept-Language).
    language: Mapped[str | None] = mapped_column(String(8))
    # Tenure: new hires are sampled more often (services/qa).
    hired_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Area(Base):
    """A site, project or queue that inspectors are assigned to: calls of these queues/teams."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    queues: Mapped[list[str]] = mapped_column(JSONType, default=list)
    teams: Mapped[list[str]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class Team(Base):
    """A team (班组) by the name its users and recordings carry, with a name people read."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class UserArea(Base):
    """An inspector's current areas."""

    __tablename__ = "user_areas"
    __table_args__ = (UniqueConstraint("user_id", "area_id", name="uq_user_areas_pair"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))


class ApiToken(Base):
    """A bearer token for an integration; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BrowserSession(Base):
    """A signed-in browser: the cookie holds the id's secret, the CSRF token guards changes."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SignInLink(Base):
    """A one-time, expiring link with which a user sets their password; only its hash is kept."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Password checks of a username in the current window, claimed before each check.

    One row per username, updated by a conditional UPDATE: however many sign-ins run at once,
    no more than the limit get past it to the (slow, guessable) password check.
    """

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(150), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
