"""Test fixtures: real PostgreSQL, Redis, the SeaweedFS S3 server, Celery workers and Whisper.

Settings are environment variables, set in ``pytest_configure`` before any zhijian module reads
them: a fresh PostgreSQL database, a Redis database of its own, fresh buckets.

Isolation, so that every test passes alone and in any order (pytest-randomly shuffles them and
prints the seed; ``--randomly-seed=N`` repeats an order, ``-p no:randomly`` keeps file order):

- A test in this process runs inside one database transaction that is rolled back when it
  ends. zhijian makes every session through ``services.db.session_factory``; here that factory
  binds them to the test's connection with ``join_transaction_mode="create_savepoint"``, so a
  commit in the code under test (one per service call, or one per request) only releases a
  savepoint, and nothing the test wrote outlives it. One difference from a real transaction:
  a savepoint whose statement failed cannot be committed, so a test expecting a database error
  lets it leave ``session_scope`` (``pytest.raises`` outside the ``with``).
- Data a whole module shares (fixtures that take ``module_db``) is written in the module's
  transaction; each test of the module then runs in a savepoint on top of it, rolled back after
  the test, and the module's transaction is rolled back after its last test.
- A test whose data another process must see — a Celery worker (fixture ``worker``), the
  uvicorn server (``live_url``), a child process (marked ``committed``) — commits for real into
  the same database, and writes recordings to a bucket of its own: the worker's reconciler
  lists its whole bucket, and S3 has no rollback. Those tests make calls and the users who
  upload them, nothing else, and find them by id or name; the rolled-back tests that read a
  whole table (areas, inspectors, sampling plans, notifications) rely on that.
"""

import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import psycopg
import pytest
import redis
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from services.local.processes import S3Server, start_worker, stop_process

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# The test broker's Redis database, emptied before and after: two test runs at once need two.
REDIS_DB = int(os.environ.get("ZHIJIAN_TEST_REDIS_DB", "13"))
RUN_ID = secrets.token_hex(4)
COMMITTED_BUCKET = f"committed-{RUN_ID}"
STATE: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Starts the S3 server, creates the database and points zhijian's settings at them."""
    if hasattr(config, "workerinput"):
        return
    tmp = Path(tempfile.mkdtemp(prefix="zhijian-tests-"))
    s3 = _s3_server(tmp)
    database = f"zhijian_test_{RUN_ID}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    redis.Redis(db=REDIS_DB).flushdb()
    os.environ.update(
        {
            "ZHIJIAN_ENVIRONMENT": "test",
            "ZHIJIAN_DATA_DIR": str(tmp),
            "ZHIJIAN_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
            "ZHIJIAN_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "ZHIJIAN_S3_ENDPOINT": s3.endpoint,
            "ZHIJIAN_S3_ACCESS_KEY": s3.access_key,
            "ZHIJIAN_S3_SECRET_KEY": s3.secret_key,
            "ZHIJIAN_BUCKET": f"recordings-{RUN_ID}",
            "ZHIJIAN_RECONCILE_INTERVAL_S": "3600",
            "ZHIJIAN_REDACT_AUDIO": "true",
            "ZHIJIAN_KEEP_UNREDACTED": "true",
            # Without the random re-decoding at higher temperatures, every run hears the same.
            "ZHIJIAN_ASR_TEMPERATURES": "[0]",
            # Tests assert messages by their ids (the English texts); a test of the Chinese
            # asks for it (Accept-Language: zh-CN, or use_language("zh_CN")).
            "ZHIJIAN_DEFAULT_LANGUAGE": "en",
        }
    )
    from services import storage
    from services.db import session_factory, upgrade_schema

    upgrade_schema()
    storage.ensure_bucket(os.environ["ZHIJIAN_BUCKET"])
    storage.ensure_bucket(COMMITTED_BUCKET)
    STATE.update(s3=s3, database=database, tmp=tmp, session_factory=session_factory)


class SharedS3(NamedTuple):
    """An S3 server started outside the tests; each run still has a bucket of its own."""

    endpoint: str
    access_key: str
    secret_key: str


def _s3_server(tmp: Path) -> S3Server | SharedS3:
    """A SeaweedFS S3 server of this run, or the one ``ZHIJIAN_TEST_S3_ENDPOINT`` names.

    Mutation testing runs the tests hundreds of times; one server for all saves the 20 s it
    takes to start and stop one.
    """
    endpoint = os.environ.get("ZHIJIAN_TEST_S3_ENDPOINT")
    if endpoint:
        return SharedS3(
            endpoint,
            os.environ["ZHIJIAN_TEST_S3_ACCESS_KEY"],
            os.environ["ZHIJIAN_TEST_S3_SECRET_KEY"],
        )
    return S3Server(tmp / "s3", access_key="zhijian-test", secret_key=secrets.token_hex(16)).start()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stops the S3 server and drops the test database."""
    s3 = STATE.get("s3")
    if isinstance(s3, S3Server):
        s3.stop()
    if "database" in STATE:
        from services.db import get_engine

        get_engine().dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{STATE["database"]}" WITH (FORCE)')
        redis.Redis(db=REDIS_DB).flushdb()


def _bind_sessions(monkeypatch: pytest.MonkeyPatch, connection: Connection) -> None:
    """Makes every zhijian session of this process join ``connection``'s transaction."""
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    monkeypatch.setattr("services.db.session_factory", lambda: factory)


@pytest.fixture(scope="module")
def module_db() -> Iterator[Connection]:
    """A transaction for the data a module's tests share, rolled back after the module."""
    from services.db import get_engine

    with get_engine().connect() as connection, pytest.MonkeyPatch.context() as monkeypatch:
        transaction = connection.begin()
        _bind_sessions(monkeypatch, connection)
        yield connection
        transaction.rollback()


def _commits(request: pytest.FixtureRequest) -> bool:
    needs_another_process = {"worker", "live_url"} & set(request.fixturenames)
    return bool(needs_another_process or request.node.get_closest_marker("committed"))


@pytest.fixture(autouse=True)
def isolated(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Runs the test in a transaction (or savepoint) that is rolled back, unless it commits."""
    from services.config import get_settings
    from services.db import get_engine

    if _commits(request):
        # Sessions on the engine again, where a module's data bound them to its transaction.
        monkeypatch.setattr("services.db.session_factory", STATE["session_factory"])
        monkeypatch.setattr(get_settings(), "bucket", COMMITTED_BUCKET)
        monkeypatch.setenv("ZHIJIAN_BUCKET", COMMITTED_BUCKET)  # for child processes
        yield
        return
    if "module_db" in request.fixturenames:
        connection = request.getfixturevalue("module_db")
        savepoint = connection.begin_nested()
        _bind_sessions(monkeypatch, connection)
        yield
        savepoint.rollback()
        return
    with get_engine().connect() as connection:
        transaction = connection.begin()
        _bind_sessions(monkeypatch, connection)
        yield
        transaction.rollback()


@pytest.fixture
def db_session() -> Iterator[Session]:
    """A database session for one test."""
    from services.db import session_factory

    with session_factory()() as session:
        yield session


@pytest.fixture
def admin_token(db_session: Session) -> str:
    """An admin's API token."""
    from tests import factories

    _admin, token = factories.user(db_session, "admin")
    db_session.commit()
    return token


@pytest.fixture
def anonymous() -> Iterator[object]:
    """An HTTP client for the API, in this process, with no credentials."""
    from fastapi.testclient import TestClient

    from services.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def client(anonymous, admin_token: str) -> object:
    """An HTTP client for the API, in this process, signed in as an admin (bearer token)."""
    anonymous.headers["Authorization"] = f"Bearer {admin_token}"
    return anonymous


@pytest.fixture
def client_as(db_session: Session) -> Callable[..., object]:
    """Makes API clients for new users: ``client_as("agent", agent_id="A1")``."""
    from fastapi.testclient import TestClient

    from services.api.app import create_app
    from tests import factories

    app = create_app()

    def make(role: str, **fields: str) -> object:
        _user, token = factories.user(db_session, role, **fields)
        db_session.commit()
        return TestClient(app, headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture(scope="session")
def worker() -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` process on queues asr, score and maintenance."""
    log = Path(str(STATE["tmp"])) / "worker.log"
    process = start_worker(
        env={"ZHIJIAN_BUCKET": COMMITTED_BUCKET}, queues="asr,score,maintenance", log_path=log
    )
    deadline = time.monotonic() + 60
    while "ready" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.2)
    yield process
    stop_process(process)


@pytest.fixture(scope="session")
def whisper() -> object:
    """The Whisper base model, loaded once for the tests that call the speech stage directly."""
    from models import asr
    from services.config import get_settings

    return asr.load(asr.resolve(get_settings()))


@pytest.fixture
def wait_for() -> Callable[..., object]:
    """Polls a call until it reaches one of ``statuses`` (default: the end of the pipeline)."""
    from services.calls import service as calls_service
    from services.db import session_factory

    def wait(call_id: int, statuses: tuple[str, ...] = ("scored", "failed"), timeout: float = 180):
        deadline = time.monotonic() + timeout
        while True:
            with session_factory()() as session:
                call = calls_service.get_or_raise(db_session=session, call_id=call_id)
            if call.status in statuses:
                if call.status == "failed":
                    # Shown with the test's output when it fails: why, and what the worker said.
                    print(f"call {call_id} failed: {call.failure_reason}")
                    print(_tail(Path(str(STATE["tmp"])) / "worker.log"))
                return call
            assert time.monotonic() < deadline, f"call {call_id} stuck in {call.status}"
            time.sleep(0.25)

    return wait


def _tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    """The API served by a real uvicorn server on loopback, for what TestClient cannot show."""
    from services.api.app import create_app
    from tests.servers import serving

    with serving(create_app()) as url:
        yield url
