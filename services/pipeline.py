"""Queueing work for the workers: transcription, scoring and maintenance, sent by task name.

The API and the CLI queue work here and never import ``workers/``: a task is sent by its name,
so queueing needs neither the task code nor the models it loads.
"""

import logging
import time
from functools import lru_cache
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from services.config import Settings, get_settings

log = logging.getLogger(__name__)

# The task names the workers register (workers/tasks.py), and their queues.
TRANSCRIBE = "zhijian.transcribe"
SCORE = "zhijian.score"
RESCORE_CHUNK = "zhijian.rescore_chunk"
RECONCILE = "zhijian.reconcile"
RECOVER = "zhijian.recover"
RETENTION = "zhijian.retention"
SAMPLING = "zhijian.sampling"
ROTATION = "zhijian.rotation"
NOTIFICATIONS = "zhijian.notifications"
REPORT_ROLLUP = "zhijian.report_rollup"
REPORT_RECOMPUTE = "zhijian.report_recompute"
QUEUES = ("asr", "asr-gpu", "score", "maintenance")
MAINTENANCE_QUEUE = "maintenance"


def broker_conf(settings: Settings) -> dict[str, Any]:
    """What the workers and every sender agree on about the broker and the messages."""
    return {
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # Redis re-delivers unacknowledged tasks after the visibility timeout: longer than any job.
        "broker_transport_options": (
            {"visibility_timeout": settings.broker_visibility_timeout_s}
            if settings.broker_url.startswith(("redis", "rediss"))
            else {}
        ),
    }


@lru_cache(maxsize=1)
def _sender() -> Celery:
    """A Celery app that only sends tasks: it registers none."""
    settings = get_settings()
    sender = Celery("zhijian", broker=settings.broker_url)
    sender.conf.update(broker_conf(settings))
    return sender


def send(task: str, *, queue: str, args: list[Any] | None = None) -> None:
    """Sends one task by name to ``queue``; raises OperationalError when the broker is down."""
    _sender().send_task(task, args=args or [], queue=queue, retry_policy={"max_retries": 2})


def enqueue_transcription(call_id: int) -> bool:
    """Queues a call for ASR on the configured queue (``asr`` on CPU, ``asr-gpu`` on GPU).

    Returns False when the broker is unreachable: the call stays ``received`` and the
    reconciler queues it again, so an upload is never refused for a broker outage.
    """
    try:
        send(TRANSCRIBE, queue=get_settings().asr_queue, args=[call_id])
    except OperationalError:
        log.warning("broker unreachable; call %s waits for the reconciler", call_id)
        return False
    return True


def enqueue_scoring(call_id: int, *, wait_s: float = 0) -> bool:
    """Queues a call for scoring on the ``score`` queue; False when the broker is unreachable
    (for about ``wait_s`` seconds: a worker may wait for it, a request may not)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            send(SCORE, queue="score", args=[call_id])
            return True
        except OperationalError:
            if time.monotonic() >= deadline:
                log.warning("broker unreachable; call %s waits to be scored", call_id)
                return False
            time.sleep(2)


def enqueue_rescore(chunk_ids: list[int]) -> bool:
    """Queues chunks of a re-scoring job on the ``score`` queue; False when the broker is
    unreachable (the chunks not queued stay to do: queueing the job's chunks again resumes it)."""
    try:
        for chunk_id in chunk_ids:
            send(RESCORE_CHUNK, queue="score", args=[chunk_id])
    except OperationalError:
        log.warning("broker unreachable; re-scoring chunks wait to be queued again")
        return False
    return True
