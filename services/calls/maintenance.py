"""Maintenance of the calls, run on a schedule by the workers or at once from the CLI:
reconciling the database with the bucket, and deleting what is past the retention period."""

from datetime import timedelta

from services import pipeline
from services.calls import recordings, recovery, retention
from services.config import get_settings
from services.db import session_scope


def reconcile_now() -> dict[str, object]:
    """One reconciliation pass, queueing what it finds; returns what it did."""
    settings = get_settings()
    with session_scope() as db_session:
        listed, created, stale = recordings.reconcile(
            db_session=db_session,
            bucket=settings.bucket,
            prefix=settings.reconcile_prefix,
            stale_after=timedelta(seconds=settings.reconcile_interval_s),
        )
    for call_id in created + stale:
        pipeline.enqueue_transcription(call_id)
    return {"listed": listed, "registered": created, "requeued": stale, **recover_now()}


# Scoring takes seconds (its hard limit is 6 minutes): a call transcribed longer ago than that
# limit and not scored lost its scoring message (a worker killed between storing the transcript
# and queuing the scoring). Scoring again is idempotent (per rule pack version).
UNSCORED_AFTER = timedelta(minutes=7)


def recover_now() -> dict[str, list[int]]:
    """Requeues the calls whose worker died mid-transcription and those never scored."""
    settings = get_settings()
    with session_scope() as db_session:
        stuck = recovery.release_stuck(
            db_session=db_session, lease=timedelta(seconds=settings.transcription_lease_s)
        )
        unscored = list(recovery.unscored(db_session=db_session, older_than=UNSCORED_AFTER))
    for call_id in stuck:
        pipeline.enqueue_transcription(call_id)
    for call_id in unscored:
        pipeline.enqueue_scoring(call_id)
    return {"recovered": stuck, "rescored": unscored}


def retention_now() -> list[int]:
    """Deletes every call past the retention period, in batches; returns their ids."""
    days = get_settings().retention_days
    if days is None:
        return []
    deleted: list[int] = []
    while True:
        # One unit of work per batch: its deletions and their audit records are committed
        # together (the objects are removed from storage first; a missing one is skipped).
        with session_scope() as db_session:
            batch = retention.purge(db_session=db_session, older_than=retention.cutoff(days))
        if not batch:
            return deleted
        deleted += batch
