"""Retention deletes old recordings, transcripts and derived audio everywhere, audited."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services import storage
from services.audit.tables import AuditEntry
from services.calls import retention
from services.calls.tables import Call
from services.config import get_settings
from services.errors import ObjectMissing
from services.speech.tables import Turn
from tests import factories


def _call(db_session, key: str, created: datetime | None = None) -> Call:
    """A transcribed call whose recording, metadata and redacted copy are in the bucket."""
    bucket = get_settings().bucket
    storage.put_bytes(bucket=bucket, key=key + ".json", data=b"{}", content_type="application/json")
    storage.put_bytes(
        bucket=bucket, key=f"redacted/{key}.wav", data=b"RIFF bleeped", content_type="audio/wav"
    )
    call = factories.call_with_turns(
        db_session,
        lines=[("agent", 0, 1, "hi")],
        object_key=key,
        redacted_key=f"redacted/{key}.wav",
    )
    if created:
        call.created_at = created
    db_session.commit()
    return call


def test_calls_past_the_period_are_deleted_from_storage_and_database_and_audited(db_session):
    old = _call(db_session, "retention/old.wav", created=datetime(2025, 1, 1, tzinfo=UTC))
    new = _call(db_session, "retention/new.wav")
    bucket = get_settings().bucket

    deleted = retention.purge(db_session=db_session, older_than=datetime(2026, 1, 1, tzinfo=UTC))

    assert old.id in deleted and new.id not in deleted
    db_session.expire_all()
    assert db_session.get(Call, old.id) is None and db_session.get(Call, new.id) is not None
    assert not db_session.scalars(select(Turn).where(Turn.call_id == old.id)).all()
    for key in ("retention/old.wav", "retention/old.wav.json", "redacted/retention/old.wav.wav"):
        with pytest.raises(ObjectMissing):
            storage.stat(bucket=bucket, key=key)
    storage.stat(bucket=bucket, key="retention/new.wav")
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.call_id == old.id)).one()
    assert (entry.action, entry.username) == ("call.delete", "retention")


def test_without_a_retention_period_nothing_is_deleted(db_session, monkeypatch):
    from services.calls.maintenance import retention_now

    monkeypatch.setattr(get_settings(), "retention_days", None)
    _call(db_session, "retention/kept.wav", created=datetime(2020, 1, 1, tzinfo=UTC))

    assert retention_now() == []
