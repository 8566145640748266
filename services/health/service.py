"""Health of the whole service: the database, the broker, and the workers that report in.

The API answers it on ``/healthz``; the workers write their reports (``beat``) from a thread
of their main process, so a killed worker stops reporting and shows as missing.
"""

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from kombu import Connection
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from services.config import Settings
from services.db import aware, utcnow
from services.health.tables import WorkerBeat
from services.i18n import _

log = logging.getLogger(__name__)

# A worker reports this often; one silent for three reports is taken for dead.
BEAT_S = 15.0
SILENT_AFTER_S = 3 * BEAT_S
FORGET_AFTER = timedelta(days=1)


@dataclass
class Health:
    """What /healthz answers: ``ok`` or ``degraded`` with the reasons, and each part's state."""

    database: str = "ok"
    broker: str = "ok"
    workers: list[dict[str, object]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``ok`` when nothing is wrong, else ``degraded``."""
        return "degraded" if self.reasons else "ok"


def worker_name() -> str:
    """This process's name among the workers: host and pid."""
    return f"{socket.gethostname()}.{os.getpid()}"


def beat(*, db_session: Session, name: str, queues: str) -> None:
    """Records that the worker ``name`` is alive and serves ``queues``."""
    # Killed workers never leave: forget those silent for a day.
    db_session.execute(delete(WorkerBeat).where(WorkerBeat.seen_at < utcnow() - FORGET_AFTER))
    row = db_session.get(WorkerBeat, name)
    if row is None:
        db_session.add(WorkerBeat(name=name, queues=queues, pid=os.getpid()))
    else:
        row.queues, row.seen_at = queues, utcnow()
    db_session.flush()


def leave(*, db_session: Session, name: str) -> None:
    """Removes a worker that stops on purpose (a killed one falls silent instead)."""
    db_session.execute(delete(WorkerBeat).where(WorkerBeat.name == name))


def check(*, db_session: Session, settings: Settings) -> Health:
    """Checks the database, the broker and the workers; names every problem found."""
    health = Health()
    try:
        db_session.execute(text("SELECT 1"))
        rows = db_session.scalars(select(WorkerBeat).order_by(WorkerBeat.name)).all()
    except Exception as exc:  # whatever the driver raises, the answer is "database down"
        health.database = "unreachable"
        health.reasons.append(_("the database is unreachable ({error})", error=type(exc).__name__))
        rows = []
    broker_problem = _broker_problem(settings.broker_url)
    if broker_problem:
        health.broker = "unreachable"
        health.reasons.append(broker_problem)
    since = utcnow() - timedelta(seconds=SILENT_AFTER_S)
    alive = [r for r in rows if aware(r.seen_at) >= since]
    health.workers = [
        {"name": r.name, "queues": r.queues.split(","), "seen_at": aware(r.seen_at).isoformat()}
        for r in alive
    ]
    served = {q for r in alive for q in r.queues.split(",")}
    for queue in (settings.asr_queue, "score"):
        if health.database == "ok" and queue not in served:
            health.reasons.append(
                _(
                    "no worker serving the queue {queue} has reported in {seconds} s",
                    queue=queue,
                    seconds=int(SILENT_AFTER_S),
                )
            )
    return health


def _broker_problem(url: str) -> str | None:
    """None when the broker accepts a connection within two seconds, else why not."""
    try:
        with Connection(url, connect_timeout=2, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # kombu raises the transport's own errors
        return _("the broker is unreachable ({error})", error=type(exc).__name__)
    return None
