"""Task wrappers: each takes ids, re-reads rows and calls one service function."""

import logging
from datetime import timedelta

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from kombu.exceptions import OperationalError
from sqlalchemy.orm import Session

from services.calls import retention as retention_service
from services.calls import service as calls_service
from services.calls.tables import Call, utcnow
from services.config import Settings, get_settings
from services.db import session_scope
from services.errors import StorageUnavailable
from services.qa import notify
from services.qa import service as qa_service
from services.scoring import service as scoring_service
from services.speech import service as speech_service
from workers.app import app

log = logging.getLogger(__name__)

# Wall-clock limits: a wedged decoder or model must not hold a worker forever.
ASR_SOFT_LIMIT_S = 2 * 3600
ASR_HARD_LIMIT_S = ASR_SOFT_LIMIT_S + 300


@app.task(
    name="zhijian.transcribe",
    bind=True,
    autoretry_for=(StorageUnavailable,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=ASR_SOFT_LIMIT_S,
    time_limit=ASR_HARD_LIMIT_S,
)
def transcribe(self: Task, call_id: int) -> None:
    """Transcribes one call; a no-op if it is already done (redelivery)."""
    settings = get_settings()
    with session_scope() as db_session:
        call = speech_service.begin(
            db_session=db_session, call_id=call_id, max_deliveries=settings.max_deliveries
        )
        if call is None:
            # Already transcribed (a redelivery): make sure the next stage was queued.
            waiting = speech_service.awaits_scoring(db_session=db_session, call_id=call_id)
            call_id_to_score = call_id if waiting else None
        else:
            call_id_to_score = _transcribe(db_session, call, settings)
    if call_id_to_score is not None:
        enqueue_scoring(call_id_to_score)


def _transcribe(db_session: Session, call: Call, settings: Settings) -> int | None:
    """Runs the stage on a claimed call; returns the call id when it is ready for scoring."""
    call_id = call.id
    try:
        done = speech_service.transcribe(db_session=db_session, call=call, settings=settings)
    except StorageUnavailable:
        # Transient: give the delivery back so the retry is not counted as a crash.
        call.deliveries -= 1
        db_session.commit()
        raise
    except SoftTimeLimitExceeded:
        db_session.rollback()
        speech_service.fail(
            db_session=db_session,
            call=call,
            reason=f"transcription took longer than {ASR_SOFT_LIMIT_S // 60} minutes",
        )
        return None
    except Exception as exc:
        # Last resort, on purpose: whatever a recording does to the decoder or the model,
        # its call must end visible as failed, never stuck in `transcribing`.
        log.exception("transcription of call %s failed", call_id)
        db_session.rollback()
        speech_service.fail(
            db_session=db_session,
            call=call,
            reason=f"transcription failed unexpectedly ({type(exc).__name__}: {exc})",
        )
        return None
    return call_id if done else None


@app.task(name="zhijian.score", soft_time_limit=300, time_limit=360)
def score(call_id: int) -> None:
    """Scores one transcribed call with the current rule pack (idempotent per pack version)."""
    with session_scope() as db_session:
        scoring_service.score_call(
            db_session=db_session, call_id=call_id, rules_dir=get_settings().rules_dir
        )


@app.task(name="zhijian.reconcile")
def reconcile() -> None:
    """Registers recordings the bucket events missed, and requeues calls that lost their task."""
    reconcile_now()


def reconcile_now() -> dict[str, object]:
    """One reconciliation pass, queueing what it finds; returns what it did."""
    settings = get_settings()
    with session_scope() as db_session:
        listed, created, stale = calls_service.reconcile(
            db_session=db_session,
            bucket=settings.bucket,
            prefix=settings.reconcile_prefix,
            stale_after=timedelta(seconds=settings.reconcile_interval_s),
        )
    for call_id in created + stale:
        enqueue_transcription(call_id)
    return {"listed": listed, "registered": created, "requeued": stale}


@app.task(name="zhijian.sampling")
def sampling() -> None:
    """Runs every active sampling plan for its last complete period (once per period)."""
    with session_scope() as db_session:
        qa_service.run_due(db_session=db_session, now=utcnow())


@app.task(name="zhijian.notifications")
def notifications() -> None:
    """Posts undelivered notifications to ZHIJIAN_NOTIFY_WEBHOOK_URL (a no-op without it)."""
    settings = get_settings()
    if settings.notify_webhook_url:
        with session_scope() as db_session:
            notify.deliver_pending(
                db_session=db_session,
                url=settings.notify_webhook_url,
                secret=settings.notify_webhook_secret,
            )


@app.task(name="zhijian.retention")
def retention() -> None:
    """Deletes what is past the retention period (a no-op without ZHIJIAN_RETENTION_DAYS)."""
    retention_now()


def retention_now() -> list[int]:
    """Deletes every call past the retention period, in batches; returns their ids."""
    days = get_settings().retention_days
    if days is None:
        return []
    deleted: list[int] = []
    with session_scope() as db_session:
        while batch := retention_service.purge(
            db_session=db_session, older_than=retention_service.cutoff(days)
        ):
            deleted += batch
    return deleted


def enqueue_scoring(call_id: int) -> bool:
    """Queues a call for scoring on the ``score`` queue; False when the broker is unreachable."""
    try:
        score.apply_async(args=[call_id], queue="score", retry_policy={"max_retries": 2})
    except OperationalError:
        log.warning("broker unreachable; call %s waits to be scored", call_id)
        return False
    return True


def enqueue_transcription(call_id: int) -> bool:
    """Queues a call for ASR on the configured queue (``asr`` on CPU, ``asr-gpu`` on GPU).

    Returns False when the broker is unreachable: the call stays ``received`` and the
    reconciler queues it again, so an upload is never refused for a broker outage.
    """
    try:
        transcribe.apply_async(
            args=[call_id], queue=get_settings().asr_queue, retry_policy={"max_retries": 2}
        )
    except OperationalError:
        log.warning("broker unreachable; call %s waits for the reconciler", call_id)
        return False
    return True
