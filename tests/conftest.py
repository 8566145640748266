"""Test fixtures: real PostgreSQL, Redis, the SeaweedFS S3 server, Celery workers and Whisper.

Settings are environment variables, set in ``pytest_configure`` before any zhijian module reads
them: a fresh PostgreSQL database, a Redis database of its own, a fresh bucket.
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

from services.embedded import S3Server, start_worker, stop_process

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# The test broker's Redis database, emptied before and after: two test runs at once need two.
REDIS_DB = int(os.environ.get("ZHIJIAN_TEST_REDIS_DB", "13"))
RUN_ID = secrets.token_hex(4)
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
        }
    )
    from services import storage
    from services.db import upgrade_schema

    upgrade_schema()
    storage.ensure_bucket(os.environ["ZHIJIAN_BUCKET"])
    STATE.update(s3=s3, database=database, tmp=tmp)


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


@pytest.fixture
def db_session() -> Iterator[object]:
    """A database session for one test."""
    from services.db import session_factory

    with session_factory()() as session:
        yield session


def make_user(role: str, **fields: str) -> tuple[str, str]:
    """Creates a user with ``role`` (and team / agent_id …); returns (username, API token)."""
    from services.db import session_scope
    from services.people import service as people_service

    username = f"{role}-{secrets.token_hex(4)}"
    with session_scope() as db_session:
        user = people_service.create_user(
            db_session=db_session,
            username=username,
            role=role,
            password="correct horse battery",
            **fields,
        )
        return username, people_service.create_token(db_session=db_session, user=user)


@pytest.fixture(scope="session")
def admin_token() -> str:
    """An admin's API token."""
    return make_user("admin")[1]


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
def client_as() -> Callable[..., object]:
    """Makes API clients for new users: ``client_as("agent", agent_id="A1")``."""
    from fastapi.testclient import TestClient

    from services.api.app import create_app

    app = create_app()

    def make(role: str, **fields: str) -> object:
        _username, token = make_user(role, **fields)
        return TestClient(app, headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture(scope="session")
def worker() -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` process on queues asr, score and maintenance."""
    log = Path(str(STATE["tmp"])) / "worker.log"
    process = start_worker(env={}, queues="asr,score,maintenance", log_path=log)
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
                return call
            assert time.monotonic() < deadline, f"call {call_id} stuck in {call.status}"
            time.sleep(0.25)

    return wait


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    """The API served by a real uvicorn server on loopback, for what TestClient cannot show."""
    import threading

    import uvicorn

    from services.api.app import create_app
    from services.embedded import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
