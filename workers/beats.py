"""Heartbeats: the worker process reports itself for /healthz, and a running transcription
renews its call's lease, so that a killed worker is noticed and its call requeued.

Both are threads that die with their process: a SIGKILL silences them, which is the signal.

The worker's report runs in its main process, which forks the pool processes (again, whenever
one dies): it uses an engine of its own without a connection pool, so that no forked child
inherits a database connection the parent is using.
"""

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from celery.signals import worker_process_init, worker_ready, worker_shutdown
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.config import get_settings
from services.db import get_engine
from services.health import service as health_service

log = logging.getLogger(__name__)
_stopped = threading.Event()


@worker_ready.connect
def _start_reporting(sender: Any = None, **_kwargs: Any) -> None:
    """Starts the worker's report thread once it consumes (in the main process)."""
    queues = ",".join(sorted(sender.app.amqp.queues.consume_from or sender.app.amqp.queues))
    name = health_service.worker_name()

    def report() -> bool:
        with Session(_unpooled()) as db_session:
            health_service.beat(db_session=db_session, name=name, queues=queues)
            db_session.commit()
        return True

    _stopped.clear()
    threading.Thread(
        target=_every, args=(health_service.BEAT_S, report, _stopped), daemon=True
    ).start()


@worker_shutdown.connect
def _stop_reporting(**_kwargs: Any) -> None:
    """A worker stopping on purpose leaves the list at once."""
    _stopped.set()
    with contextlib.suppress(Exception), Session(_unpooled()) as db_session:
        health_service.leave(db_session=db_session, name=health_service.worker_name())
        db_session.commit()


@worker_process_init.connect
def _fresh_connections(**_kwargs: Any) -> None:
    """A pool process starts without its parent's database connections (never share them)."""
    get_engine().dispose(close=False)


_engine: list[Engine] = []


def _unpooled() -> Engine:
    """The main process's engine: a connection per use, none kept to be inherited by forks."""
    if not _engine:
        url = get_settings().database_url
        options: dict[str, Any] = {"poolclass": NullPool}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30}
        _engine.append(create_engine(url, **options))
    return _engine[0]


@contextlib.contextmanager
def renewing(interval_s: float, renew: Callable[[], bool]) -> Iterator[None]:
    """Calls ``renew`` every ``interval_s`` while the block runs (until it returns False)."""
    stop = threading.Event()
    thread = threading.Thread(target=_every, args=(interval_s, renew, stop), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(interval_s + 5)


def _every(interval_s: float, action: Callable[[], bool], stop: threading.Event) -> None:
    """Runs ``action`` now and every ``interval_s`` until ``stop`` or it returns False."""
    while True:
        try:
            if not action():
                return
        except Exception:  # a database blip must not end the heartbeat for good
            log.exception("a heartbeat failed; trying again in %s s", interval_s)
        if stop.wait(interval_s):
            return
