"""Retention: recordings, transcripts and derived audio older than the retention period are
deleted from object storage and the database, each deletion written to the audit log."""

import contextlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import storage
from services.audit import service as audit_service
from services.calls.recordings import SIDECAR_SUFFIX
from services.calls.tables import Call
from services.db import utcnow
from services.errors import ObjectMissing

BATCH = 500


def cutoff(days: int) -> datetime:
    """The moment before which calls are due for deletion."""
    return utcnow() - timedelta(days=days)


def purge(*, db_session: Session, older_than: datetime, limit: int = BATCH) -> list[int]:
    """Deletes up to ``limit`` calls received before ``older_than``; returns their ids."""
    calls = db_session.scalars(
        select(Call).where(Call.created_at < older_than).order_by(Call.id).limit(limit)
    ).all()
    deleted = []
    for call in calls:
        keys = [call.object_key, call.object_key + SIDECAR_SUFFIX]
        if call.redacted_key:
            keys.append(call.redacted_key)
        for key in keys:
            with contextlib.suppress(ObjectMissing):  # the bucket itself is gone: nothing to do
                storage.remove(bucket=call.bucket, key=key)
        call_id, key = call.id, f"s3://{call.bucket}/{call.object_key}"
        db_session.delete(call)  # turns, activity, scores and hits go with it (ON DELETE CASCADE)
        audit_service.record(
            db_session=db_session,
            username="retention",
            action="call.delete",
            call_id=call_id,
            detail={"reason": "retention period over", "recording": key},
        )
        deleted.append(call_id)
    db_session.flush()
    return deleted
