"""The retention period cuts at the right moment: what is younger than it is kept, what is
older is deleted."""

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from services import storage
from services.calls import retention
from services.calls import service as calls_service
from services.calls.maintenance import retention_now
from services.calls.tables import Call
from services.config import get_settings
from services.db import utcnow


def _call_received(db_session, days_ago: float = 0, at: datetime | None = None) -> int:
    info = storage.put_bytes(
        bucket=get_settings().bucket,
        key=f"retention-period/{secrets.token_hex(6)}.wav",
        data=b"RIFF recording",
        content_type="audio/wav",
    )
    call, _ = calls_service.register(
        db_session=db_session, info=info, source="upload", metadata=None
    )
    received = at or utcnow() - timedelta(days=days_ago)
    db_session.execute(update(Call).where(Call.id == call.id).values(created_at=received))
    db_session.commit()
    return call.id


def test_the_cutoff_lies_the_period_before_now():
    before = utcnow()
    cut = retention.cutoff(30)

    assert before - timedelta(days=30) <= cut <= utcnow() - timedelta(days=30)


def test_calls_younger_than_the_period_are_kept_and_older_ones_deleted(db_session, monkeypatch):
    monkeypatch.setattr(get_settings(), "retention_days", 30)
    young = _call_received(db_session, days_ago=29)
    today = _call_received(db_session, days_ago=0)
    old = _call_received(db_session, days_ago=31)

    deleted = retention_now()

    assert old in deleted
    assert young not in deleted and today not in deleted
    db_session.expire_all()
    assert db_session.get(Call, old) is None
    assert db_session.get(Call, young) is not None and db_session.get(Call, today) is not None


def test_a_call_received_at_the_cutoff_itself_is_kept(db_session):
    cut = datetime(2019, 6, 1, 8, 30, 0, 250_000, tzinfo=UTC)
    at_cut = _call_received(db_session, at=cut)
    just_before = _call_received(db_session, at=cut - timedelta(microseconds=1))

    deleted = retention.purge(db_session=db_session, older_than=cut)

    assert just_before in deleted and at_cut not in deleted
