"""The Celery app: queues ``asr`` (CPU), ``asr-gpu`` (GPU) and ``score``; at-least-once delivery.

Start a worker with ``zhijian worker --queues asr`` (or ``celery -A workers.app worker -Q asr``).
"""

from celery import Celery
from kombu import Queue

from services.config import get_settings

settings = get_settings()

app = Celery("zhijian", broker=settings.broker_url, include=["workers.tasks"])
app.conf.update(
    task_queues=[Queue("asr"), Queue("asr-gpu"), Queue("score"), Queue("maintenance")],
    task_default_queue="maintenance",
    # At least once: a task is acknowledged only after it finished, and a task whose worker
    # process died is put back on the queue (the task itself counts deliveries, see speech).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # ASR jobs are long: a worker holds one at a time so the others stay with idle workers.
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    # Redis re-delivers unacknowledged tasks after the visibility timeout: longer than any job.
    broker_transport_options=(
        {"visibility_timeout": settings.broker_visibility_timeout_s}
        if settings.broker_url.startswith(("redis", "rediss"))
        else {}
    ),
    worker_hijack_root_logger=False,
    beat_schedule={
        "reconcile-bucket": {
            "task": "zhijian.reconcile",
            "schedule": settings.reconcile_interval_s,
        },
        "retention": {"task": "zhijian.retention", "schedule": 3600.0},
        "sampling": {"task": "zhijian.sampling", "schedule": 3600.0},
        "notifications": {"task": "zhijian.notifications", "schedule": 60.0},
    },
)
