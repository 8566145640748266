"""Database engine and sessions, shared by the API, the workers and the CLI; and the clock."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Engine,
    Integer,
    Interval,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeEngine

from services.config import get_settings
from services.errors import Conflict, DatabaseUnavailable

# JSONB on PostgreSQL (indexable), plain JSON on the embedded SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
# JSON that is only ever written and read whole (a score's items, a call's metrics): json on
# PostgreSQL, kept as the text it was given, where jsonb parses it into its binary form on
# every write. Re-scoring writes a million of these; with jsonb they were a fifth of the
# database's share of the work (benchmarks/rescore.py).
JSONDocument = JSON()


def json_dumps(value: Any) -> str:
    """A value as the JSON the tables store. orjson rather than the standard library: re-scoring
    reads and writes millions of these, and the standard codec was a sixth of its time."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=_json_default).decode()


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # a numpy number, as the standard codec takes floats and ints
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# 64-bit ids on PostgreSQL; SQLite autoincrements only INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer, "sqlite")


class NaiveDatetime(ValueError):
    """A time without its zone reached the database: nobody can tell which instant it meant."""


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as UTC and read back as aware UTC on PostgreSQL and SQLite alike.

    SQLite keeps no zone: it would store ``00:00+08:00`` as ``00:00`` and hand it back as
    midnight UTC, eight hours off. So every time is converted to UTC before it is written, a
    time without a zone is refused (which instant it means is a guess), and what is read is
    marked UTC. The column stays ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        """``column - timedelta`` is date arithmetic with an interval, not a time to store."""
        if isinstance(value, timedelta):
            return Interval()
        return self

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware UTC for the database; a naive time is an error."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a time is a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetime(f"a time without its zone cannot be stored: {value.isoformat()}")
        return _in_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware UTC from the database (SQLite returns the stored UTC without its zone)."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else _in_utc(value)


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # at the calendar's very ends: left in its own zone, not a crash
        return value


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING)


# How long opening a connection to PostgreSQL may take: a server that accepts the connection
# but never answers (a host going down, a dropped route) must not hold a request for minutes.
CONNECT_TIMEOUT_S = 10


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """Returns the engine for ``url`` (default: the configured database), created once.

    Each pooled connection is tested before it is lent (``pool_pre_ping``): after a database
    restart the dead ones are replaced instead of failing the next request or task.
    """
    url = url or get_settings().database_url
    # Overflow beyond the pool: for what passes the API's gate without waiting (/healthz,
    # a playback link's lookup; services/api/capacity.py).
    options: dict[str, Any] = {
        "json_serializer": json_dumps,
        "json_deserializer": orjson.loads,
        "pool_pre_ping": True,
        "pool_size": get_settings().db_pool_size,
        "max_overflow": 10,
    }
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    elif url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory() -> sessionmaker[Session]:
    """Returns a session factory bound to the configured engine."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work for a task or a CLI command: commits once on success, rolls back on
    error. Services only add and flush; whoever opens the scope decides what is one unit."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def unique(db_session: Session, clash: str) -> Iterator[None]:
    """Writes what the block adds in a savepoint; where that breaks a unique constraint, raises
    Conflict(clash) and leaves the rest of the transaction as it was."""
    try:
        with db_session.begin_nested():
            yield
            db_session.flush()
    except IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        raise Conflict(clash) from None


# Connection exceptions (08…), the server shutting down or starting (57P01-57P03): the database
# is away for now, not wrong. A connection that never opened has no SQLSTATE at all.
_AWAY_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def unreachable(exc: DBAPIError) -> bool:
    """Whether ``exc`` says the database cannot be reached now (down, restarting, the
    connection lost), rather than that a statement was wrong: retrying later may work."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError) or not hasattr(exc.orig, "sqlstate"):
        return False  # SQLite's errors carry no SQLSTATE: a file here, not a server away
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate is None or str(sqlstate).startswith(_AWAY_SQLSTATES)


@contextmanager
def unavailable_when_away() -> Iterator[None]:
    """Raises DatabaseUnavailable for a database that cannot be reached in the block, so that
    a task retries it instead of taking it for a fault of its own work."""
    try:
        yield
    except DBAPIError as exc:
        if unreachable(exc):
            raise DatabaseUnavailable(str(exc.orig)) from exc
        raise


def _is_unique_violation(exc: IntegrityError) -> bool:
    # PostgreSQL names the violation by its SQLSTATE; SQLite only in its message.
    return getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint" in str(exc.orig)


_AFTER_COMMIT = "zhijian.after_commit"


def after_commit(db_session: Session, action: Callable[[], object]) -> None:
    """Runs ``action`` once the session's transaction is committed, never if it is rolled
    back: a task queued for a row must find the row written."""
    db_session.info.setdefault(_AFTER_COMMIT, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_AFTER_COMMIT, None)


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of the migrations, for ``url`` (the configured database)."""
    from alembic.config import Config

    migrations = Path(__file__).resolve().parent.parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def upgrade_schema(url: str | None = None) -> None:
    """Brings the database schema to the newest Alembic revision."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the tables use."""
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """A time as aware UTC. Mapped columns (UtcDateTime) are aware already; this is for times
    read by raw SQL, which SQLite hands back without their zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def center_zone() -> ZoneInfo:
    """The center's time zone (``ZHIJIAN_CENTER_TIMEZONE``): its days and weeks are the QA's."""
    return ZoneInfo(get_settings().center_timezone)


def center_time(value: date | datetime) -> datetime:
    """A moment as the center means it: a day is its midnight on the center's clock, a time
    without a zone is read on the center's clock, a time with one stays that instant."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=center_zone())
    return value.replace(tzinfo=center_zone()) if value.tzinfo is None else value
