"""A stack of the fault tests' own: a Redis broker, a SeaweedFS S3 server, a database and a
Celery worker (with the beat) that only they use, so that stopping the broker or the S3 server
disturbs no other test run (the shared Redis on 6379 is never touched). The database matters as
much: the stack lives until the last test, and its beat's reconciler requeues every call
``received`` for ``RECONCILE_S``: on the suite's database it took other tests' calls and failed
them, their recordings being in another S3 server.

The worker runs under a supervisor (``Supervised``, as ``zhijian up`` runs it) that starts it
again when it dies, and runs the schedule fast: the reconciler every ``RECONCILE_S``
(requeueing calls ``received`` that long ago), the recovery of stuck calls every lease, and
the broker's redelivery of a dead worker's unacknowledged tasks after ``VISIBILITY_S``.
"""

import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis

from services.local.processes import S3Server, Supervised, free_port, start_worker, stop_process

RECONCILE_S = 8
LEASE_S = 10
# Production waits hours (longer than any transcription); the tests' calls take seconds, and a
# task redelivered while it still runs is a case the claims handle (see services/speech).
VISIBILITY_S = 60


@dataclass
class Broker:
    """A redis-server of the tests' own on loopback, with the production settings that keep
    queued tasks across a restart (append-only file, no eviction)."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The broker URL workers and senders use."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Broker":
        """Starts the server (again, on the same port and files) and waits until it answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            "/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--maxmemory-policy", "noeviction",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return self
            except redis.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        """Stops the server the way an orchestrator does (SIGTERM: it writes its files)."""
        stop_process(self.process)
        self.process = None


@dataclass
class Stack:
    """The fault tests' broker, S3 server, bucket and supervised worker, and the worker's log
    (every start of the worker writes to it)."""

    broker: Broker
    s3: S3Server
    bucket: str
    database_url: str
    worker: Supervised
    worker_log: Path

    def log_count(self, text: str) -> int:
        """How often ``text`` is in the worker's log so far."""
        return self.worker_log.read_text(errors="replace").count(text)

    def wait_worker_ready(self, starts: int, timeout_s: float = 90) -> None:
        """Waits until the worker has said it is ready ``starts`` times since the stack began."""
        deadline = time.monotonic() + timeout_s
        while self.log_count(READY) < starts:
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)


READY = " ready."  # what a Celery worker logs once it consumes


@pytest.fixture(scope="session")
def fault_stack() -> Iterator[Stack]:
    """Starts the broker, the S3 server and a worker with the beat; stops them at the end."""
    from services import storage
    from services.config import get_settings
    from services.db import upgrade_schema

    tmp = Path(tempfile.mkdtemp(prefix="zhijian-faults-"))
    broker = Broker(tmp / "redis").start()
    s3 = S3Server(tmp / "s3", access_key="faults", secret_key=secrets.token_hex(16)).start()
    bucket = f"faults-{secrets.token_hex(4)}"
    settings = get_settings()
    database_url = _create_database(settings.database_url)
    saved = {name: getattr(settings, name) for name in _OVERRIDDEN}
    _point_at(settings, broker, s3, bucket, database_url)
    storage.ensure_bucket(bucket)
    upgrade_schema(database_url)
    for name, value in saved.items():
        setattr(settings, name, value)
    _switch_engine()
    log = tmp / "worker.log"
    env = {
        "ZHIJIAN_BROKER_URL": broker.url,
        "ZHIJIAN_S3_ENDPOINT": s3.endpoint,
        "ZHIJIAN_S3_ACCESS_KEY": s3.access_key,
        "ZHIJIAN_S3_SECRET_KEY": s3.secret_key,
        "ZHIJIAN_BUCKET": bucket,
        "ZHIJIAN_DATABASE_URL": database_url,
        "ZHIJIAN_RECONCILE_INTERVAL_S": str(RECONCILE_S),
        "ZHIJIAN_TRANSCRIPTION_LEASE_S": str(LEASE_S),
        "ZHIJIAN_BROKER_VISIBILITY_TIMEOUT_S": str(VISIBILITY_S),
    }
    worker = Supervised(
        lambda: start_worker(
            env=env, queues="asr,score,maintenance", concurrency=2, beat=True, log_path=log
        ),
        name="fault-suite worker",
        check_s=0.5,
    ).start()
    stack = Stack(broker, s3, bucket, database_url, worker, log)
    try:
        stack.wait_worker_ready(1, timeout_s=60)
    except AssertionError:
        worker.stop()
        raise AssertionError(log.read_text(errors="replace")) from None
    yield stack
    worker.stop()
    s3.stop()
    broker.stop()
    _drop_database(database_url)


_OVERRIDDEN = (
    "broker_url", "s3_endpoint", "s3_access_key", "s3_secret_key", "bucket", "database_url"
)  # fmt: skip


def _point_at(
    settings: object, broker: Broker, s3: S3Server, bucket: str, database_url: str
) -> None:
    values = (broker.url, s3.endpoint, s3.access_key, s3.secret_key, bucket, database_url)
    for name, value in zip(_OVERRIDDEN, values, strict=True):
        setattr(settings, name, value)
    _switch_engine()


def _switch_engine() -> None:
    """Lets the next ``get_engine()`` make the engine of the database the settings name now."""
    from services.db import get_engine

    get_engine().dispose()
    get_engine.cache_clear()


def _create_database(suite_url: str) -> str:
    """A database beside the suite's, on the same server; returns its URL."""
    base, _, name = suite_url.rpartition("/")
    faults = f"{base}/{name}_faults"
    _on_server(faults, f'CREATE DATABASE "{name}_faults"')
    return faults


def _drop_database(url: str) -> None:
    _on_server(url, f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


def _on_server(url: str, statement: str) -> None:
    """Runs ``statement`` on the server of ``url``, from its maintenance database."""
    server = url.rpartition("/")[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture
def stack(fault_stack: Stack) -> Iterator[Stack]:
    """This process's API, senders and sessions pointed at the fault stack for one test."""
    from services import pipeline
    from services.config import get_settings

    settings = get_settings()
    saved = {name: getattr(settings, name) for name in _OVERRIDDEN}
    _point_at(
        settings, fault_stack.broker, fault_stack.s3, fault_stack.bucket, fault_stack.database_url
    )
    pipeline._sender.cache_clear()  # the sender caches its broker connection
    yield fault_stack
    for name, value in saved.items():
        setattr(settings, name, value)
    _switch_engine()
    pipeline._sender.cache_clear()
