"""A QA floor committed for real in a database of its own, for races between real requests.

Parallel requests need data other connections can see, so it cannot live in a rolled-back
transaction; a database of its own keeps it away from the tests that read whole tables.
"""

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.floor import Floor, build

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def race_sessions() -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh, migrated database, dropped after the module."""
    from services.db import get_engine, upgrade_schema

    name = f"zhijian_race_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade_schema(url)
        engine = get_engine(url)
        yield sessionmaker(bind=engine, expire_on_commit=False)
        engine.dispose()
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def committed_floor(race_sessions: sessionmaker[Session]) -> Floor:
    """The QA floor of tests/floor.py, committed in the module's own database."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr("services.db.session_factory", lambda: race_sessions)
        return build(team="race")


@pytest.fixture
def race_floor(
    committed_floor: Floor,
    race_sessions: sessionmaker[Session],
    live_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Floor:
    """The committed floor, with this process's sessions (the live server's too) on its
    database for the test."""
    monkeypatch.setattr("services.db.session_factory", lambda: race_sessions)
    return committed_floor
