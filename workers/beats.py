"""Heartbeats: the worker process reports itself for /healthz, and a running transcription
renews its call's lease, so that a killed worker is noticed and its call requeued.

Both are threads that die with their process: a SIGKILL silences them, which is the signal.
"""

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from celery.signals import worker_ready, worker_shutdown

from services.db import session_scope
from services.health import service as health_service

log = logging.getLogger(__name__)
_stopped = threading.Event()


@worker_ready.connect
def _start_reporting(sender: Any = None, **_kwargs: Any) -> None:
    """Starts the worker's report thread once it consumes (in the main process)."""
    queues = ",".join(sorted(sender.app.amqp.queues.consume_from or sender.app.amqp.queues))
    name = health_service.worker_name()

    def report() -> bool:
        with session_scope() as db_session:
            health_service.beat(db_session=db_session, name=name, queues=queues)
        return True

    _stopped.clear()
    threading.Thread(
        target=_every, args=(health_service.BEAT_S, report, _stopped), daemon=True
    ).start()


@worker_shutdown.connect
def _stop_reporting(**_kwargs: Any) -> None:
    """A worker stopping on purpose leaves the list at once."""
    _stopped.set()
    with contextlib.suppress(Exception), session_scope() as db_session:
        health_service.leave(db_session=db_session, name=health_service.worker_name())


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
