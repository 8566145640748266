"""Task wrappers: each takes ids, re-reads rows and calls one service function.

Others queue these tasks by name through services/pipeline.py, never by importing them.
"""

import contextlib
import logging
from functools import partial

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import pipeline
from services.calls import maintenance
from services.calls.service import Call
from services.config import Settings, get_settings
from services.db import session_scope, unavailable_when_away, utcnow
from services.errors import DatabaseUnavailable, StorageUnavailable
from services.notifications import service as notify
from services.qa.rotation import service as rotation_service
from services.qa.sampling import service as sampling_service
from services.reports import rollup
from services.scoring import service as scoring_service
from services.scoring.rescore import service as rescore_service
from services.speech import claims
from services.speech import service as speech_service
from workers import beats
from workers.app import app

log = logging.getLogger(__name__)

# Wall-clock limits: a wedged decoder or model must not hold a worker forever.
ASR_SOFT_LIMIT_S = 2 * 3600
ASR_HARD_LIMIT_S = ASR_SOFT_LIMIT_S + 300
# How long a finished transcription waits for an unreachable broker to queue its scoring.
SCORING_SEND_WAIT_S = 300.0
# Storage or the database away (restarted, failing over): tried again after 1, 2, 4 … s.
TRANSIENT = (StorageUnavailable, DatabaseUnavailable)


@app.task(
    name=pipeline.TRANSCRIBE,
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=ASR_SOFT_LIMIT_S,
    time_limit=ASR_HARD_LIMIT_S,
)
def transcribe(self: Task, call_id: int) -> None:
    """Transcribes one call; a no-op if it is already done (redelivery)."""
    settings = get_settings()
    # Two units of work: the claim (counted even if this worker dies on the recording), then
    # the transcript or the failure.
    with unavailable_when_away(), session_scope() as db_session:
        claimed = claims.begin(
            db_session=db_session,
            call_id=call_id,
            max_deliveries=settings.max_deliveries,
            lease_s=settings.transcription_lease_s,
        )
        delivery = claimed.deliveries if claimed is not None else 0
        # Not claimed: already transcribed (a redelivery)? Make sure the next stage was queued.
        ready = claimed is None and speech_service.awaits_scoring(
            db_session=db_session, call_id=call_id
        )
        held = claimed is None and claims.held(
            db_session=db_session, call_id=call_id, lease_s=settings.transcription_lease_s
        )
    if held:
        # Another worker holds the call. Come back when its lease would have run out: if it
        # died silently, this delivery takes over; if it finished, there is nothing to do.
        raise self.retry(countdown=settings.transcription_lease_s)
    if claimed is not None:
        # The lease is renewed from a thread of this process: if the process dies, the call's
        # heartbeat stops and the reconciler requeues it once the lease runs out.
        with beats.renewing(settings.transcription_lease_s / 4, partial(_renew, call_id, delivery)):
            ready = _transcribe(call_id, delivery, settings)
    if ready:
        # A transcription that ends while the broker is away waits for it here (this worker
        # could take no new task anyway) instead of leaving the call to the sweep for calls
        # never scored, which looks only after 15 minutes (the fault suite found this).
        pipeline.enqueue_scoring(call_id, wait_s=SCORING_SEND_WAIT_S)


def _renew(call_id: int, delivery: int) -> bool:
    with session_scope() as db_session:
        return claims.heartbeat(db_session=db_session, call_id=call_id, delivery=delivery)


def _transcribe(call_id: int, delivery: int, settings: Settings) -> bool:
    """Runs the stage on a claimed call; returns whether it is ready for scoring."""
    try:
        with unavailable_when_away(), session_scope() as db_session:
            call = _claimed(db_session, call_id)
            terms = scoring_service.keyword_terms(
                rules_dir=settings.rules_dir, language=call.language or settings.asr_language
            )
            return speech_service.transcribe(
                db_session=db_session,
                call=call,
                settings=settings,
                keyword_terms=terms,
                delivery=delivery,
            )
    except TRANSIENT:
        # Nothing is wrong with the call: its claim is given back for the retry. A database
        # still away keeps the claim; its lease runs out and the retry takes the call then.
        with (
            contextlib.suppress(DatabaseUnavailable),
            unavailable_when_away(),
            session_scope() as db_session,
        ):
            claims.give_back(db_session=db_session, call_id=call_id)
        raise
    except SoftTimeLimitExceeded:
        reason = f"transcription took longer than {ASR_SOFT_LIMIT_S // 60} minutes"
    except Exception as exc:
        # Last resort, on purpose: whatever a recording does to the decoder or the model,
        # its call must end visible as failed, never stuck in `transcribing`.
        log.exception("transcription of call %s failed", call_id)
        reason = f"transcription failed unexpectedly ({type(exc).__name__}: {exc})"
    with session_scope() as db_session:
        if claims.holds(db_session=db_session, call_id=call_id, delivery=delivery):
            claims.fail(db_session=db_session, call=_claimed(db_session, call_id), reason=reason)
    return False


def _claimed(db_session: Session, call_id: int) -> Call:
    call = db_session.get(Call, call_id)
    if call is None:
        raise LookupError(f"call {call_id} was deleted while it was being transcribed")
    return call


@app.task(
    name=pipeline.SCORE,
    autoretry_for=(DatabaseUnavailable,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,
)
def score(call_id: int) -> None:
    """Scores one transcribed call with the current rule pack (idempotent per pack version)."""
    with unavailable_when_away(), session_scope() as db_session:
        scoring_service.score_call(
            db_session=db_session, call_id=call_id, rules_dir=get_settings().rules_dir
        )


@app.task(
    name=pipeline.RESCORE_CHUNK,
    # A call scored meanwhile by the pipeline clashes with the chunk's insert: the chunk is
    # rolled back whole and, on its next delivery, skips that call.
    autoretry_for=(IntegrityError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def rescore_chunk(chunk_id: int) -> None:
    """Scores one chunk of a re-scoring job (a no-op once the chunk is done)."""
    with session_scope() as db_session:
        rescore_service.run_chunk(
            db_session=db_session, chunk_id=chunk_id, rules_dir=get_settings().rules_dir
        )


@app.task(name=pipeline.RECONCILE)
def reconcile() -> None:
    """Registers recordings the bucket events missed, and requeues calls that lost their task."""
    maintenance.reconcile_now()


@app.task(name=pipeline.RECOVER)
def recover() -> None:
    """Requeues calls whose worker died mid-transcription, and transcribed calls never scored."""
    maintenance.recover_now()


@app.task(name=pipeline.SAMPLING)
def sampling() -> None:
    """Runs every active sampling plan for its last complete period (once per period)."""
    with session_scope() as db_session:
        sampling_service.run_due(db_session=db_session, now=utcnow())


@app.task(name=pipeline.ROTATION)
def rotation() -> None:
    """Gives the inspectors the areas of the rotation period that has come into force."""
    with session_scope() as db_session:
        rotation_service.bring_into_force(db_session=db_session)


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


@app.task(name=pipeline.REPORT_ROLLUP)
def report_rollup() -> None:
    """Folds newly stored scores into the report rollups (PostgreSQL only: the embedded
    SQLite mode has no reports)."""
    with session_scope() as db_session:
        if db_session.get_bind().dialect.name == "postgresql":
            rollup.catch_up(db_session)


@app.task(name=pipeline.REPORT_RECOMPUTE)
def report_recompute() -> None:
    """Recomputes yesterday's and today's report rollups whole (PostgreSQL only)."""
    with session_scope() as db_session:
        if db_session.get_bind().dialect.name == "postgresql":
            rollup.recompute_recent(db_session, days=2)
