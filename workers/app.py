"""The Celery app: queues ``asr`` (CPU), ``asr-gpu`` (GPU) and ``score``; at-least-once delivery.

Start a worker with ``zhijian worker --queues asr`` (or ``celery -A workers.app worker -Q asr``).
"""

from celery import Celery
from kombu import Queue

from services import pipeline
from services.config import get_settings

settings = get_settings()

app = Celery("zhijian", broker=settings.broker_url, include=["workers.tasks", "workers.beats"])
app.conf.update(
    **pipeline.broker_conf(settings),
    task_queues=[Queue(name) for name in pipeline.QUEUES],
    task_default_queue=pipeline.MAINTENANCE_QUEUE,
    # At least once: a task is acknowledged only after it finished, and a task whose worker
    # process died is put back on the queue (the task itself counts deliveries, see speech).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # ASR jobs are long: a worker holds one at a time so the others stay with idle workers.
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    beat_schedule={
        "reconcile-bucket": {
            "task": pipeline.RECONCILE,
            "schedule": settings.reconcile_interval_s,
        },
        # Cheap (the database only): a dead worker's call waits at most about two leases.
        "recover-stuck-calls": {
            "task": pipeline.RECOVER,
            "schedule": settings.transcription_lease_s,
        },
        "retention": {"task": pipeline.RETENTION, "schedule": 3600.0},
        "sampling": {"task": pipeline.SAMPLING, "schedule": 3600.0},
        "rotation": {"task": pipeline.ROTATION, "schedule": 3600.0},
        "notifications": {"task": pipeline.NOTIFICATIONS, "schedule": 60.0},
        # Reports read daily rollups: new scores folded in often, the recent days redone whole
        # every hour (see services/reports/rollup.py).
        "report-rollup": {
            "task": pipeline.REPORT_ROLLUP,
            "schedule": settings.report_rollup_interval_s,
        },
        "report-recompute": {"task": pipeline.REPORT_RECOMPUTE, "schedule": 3600.0},
    },
)
