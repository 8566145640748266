"""Task wrappers: each takes ids, re-reads rows and calls one service function.

Others queue these tasks by name through services/pipeline.py, never by importing them.
"""

import logging

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.orm import Session

from services import pipeline
from services.calls import maintenance
from services.calls.tables import Call
from services.config import Settings, get_settings
from services.db import session_scope, utcnow
from services.errors import StorageUnavailable
from services.notifications import service as notify
from services.qa.sampling import service as sampling_service
from services.scoring import service as scoring_service
from services.speech import service as speech_service
from workers.app import app

log = logging.getLogger(__name__)

# Wall-clock limits: a wedged decoder or model must not hold a worker forever.
ASR_SOFT_LIMIT_S = 2 * 3600
ASR_HARD_LIMIT_S = ASR_SOFT_LIMIT_S + 300


@app.task(
    name=pipeline.TRANSCRIBE,
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
        pipeline.enqueue_scoring(call_id_to_score)


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


@app.task(name=pipeline.SCORE, soft_time_limit=300, time_limit=360)
def score(call_id: int) -> None:
    """Scores one transcribed call with the current rule pack (idempotent per pack version)."""
    with session_scope() as db_session:
        scoring_service.score_call(
            db_session=db_session, call_id=call_id, rules_dir=get_settings().rules_dir
        )


@app.task(name=pipeline.RECONCILE)
def reconcile() -> None:
    """Registers recordings the bucket events missed, and requeues calls that lost their task."""
    maintenance.reconcile_now()


@app.task(name=pipeline.SAMPLING)
def sampling() -> None:
    """Runs every active sampling plan for its last complete period (once per period)."""
    with session_scope() as db_session:
        sampling_service.run_due(db_session=db_session, now=utcnow())


@app.task(name=pipeline.NOTIFICATIONS)
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


@app.task(name=pipeline.RETENTION)
def retention() -> None:
    """Deletes what is past the retention period (a no-op without ZHIJIAN_RETENTION_DAYS)."""
    maintenance.retention_now()
