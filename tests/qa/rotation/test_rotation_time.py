"""Rotation periods keep their instant on SQLite and PostgreSQL alike, and follow the center's
clock: a day or a zoneless time is the center's, a period is a center week by default."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from services.config import get_settings
from services.db import NaiveDatetime, get_engine, upgrade_schema
from services.people import service as people_service
from services.people.tables import Area
from services.qa.rotation import service as rotation_service
from services.qa.rotation.tables import RotationPeriod
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIDNIGHT_IN_SHANGHAI = datetime(2026, 11, 30, tzinfo=SHANGHAI)  # Monday, 2026-11-29 16:00 UTC


def _plan(db_session: Session, start: datetime) -> int:
    """One inspector and one area of this database; plans the period from ``start``."""
    inspector = people_service.create_user(
        db_session=db_session, username=factories.unique("tz"), role="inspector", password=None
    )
    people_service.create_area(
        db_session=db_session, name=factories.unique("tz"), queues=["q"], teams=[]
    )
    begins, ends = rotation_service.center_period(start)
    period = rotation_service.plan_period(
        db_session=db_session, start=begins, end=ends, created_by=inspector.username
    )
    db_session.commit()
    return period.id


def _read_back(db_session: Session, period_id: int) -> RotationPeriod:
    db_session.expunge_all()  # from the database, not the session's memory
    found = db_session.get(RotationPeriod, period_id)
    assert found is not None
    return found


def test_a_rotation_at_plus_eight_reads_back_the_same_instant_on_the_embedded_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    upgrade_schema(url)
    with Session(get_engine(url)) as db_session:
        period_id = _plan(db_session, datetime.fromisoformat("2026-11-30T00:00:00+08:00"))
        stored = db_session.execute(text('SELECT start, "end" FROM rotation_periods')).one()
        found = _read_back(db_session, period_id)

    assert found.start == MIDNIGHT_IN_SHANGHAI and found.start.utcoffset() is not None
    assert found.start.isoformat() == "2026-11-29T16:00:00+00:00"
    assert found.end == datetime(2026, 12, 7, tzinfo=SHANGHAI)
    assert stored[0].startswith("2026-11-29 16:00:00")  # UTC in the file, not 00:00


def test_a_rotation_at_plus_eight_reads_back_the_same_instant_on_postgresql(db_session):
    period_id = _plan(db_session, datetime.fromisoformat("2026-11-30T00:00:00+08:00"))

    found = _read_back(db_session, period_id)

    assert found.start == MIDNIGHT_IN_SHANGHAI and found.start.tzinfo == UTC
    assert found.end == datetime(2026, 12, 7, tzinfo=SHANGHAI)


def test_a_time_without_its_zone_is_never_stored(db_session):
    db_session.add(
        RotationPeriod(start=datetime(2026, 11, 30), end=datetime(2026, 12, 7), created_by="t")
    )
    with pytest.raises(StatementError) as raised:
        db_session.flush()
    assert isinstance(raised.value.orig, NaiveDatetime)


def test_the_api_reads_days_and_zoneless_times_on_the_center_clock(db_session, client):
    for _ in range(2):  # so that each period can hand the area on
        factories.user(db_session, "inspector")
    db_session.add(Area(name=factories.unique("tz"), queues=["tz-q"], teams=[]))
    db_session.commit()

    week = client.post("/api/v1/rotation", json={"start": "2026-11-30"})
    morning = client.post(
        "/api/v1/rotation", json={"start": "2026-12-14T09:00:00", "end": "2026-12-15"}
    )
    zoned = client.post("/api/v1/rotation", json={"start": "2026-12-21T00:00:00+08:00"})

    assert [week.status_code, morning.status_code, zoned.status_code] == [201] * 3, zoned.text
    assert (week.json()["start"], week.json()["end"]) == (
        "2026-11-29T16:00:00Z",
        "2026-12-06T16:00:00Z",
    )
    assert (morning.json()["start"], morning.json()["end"]) == (
        "2026-12-14T01:00:00Z",
        "2026-12-14T16:00:00Z",
    )
    assert zoned.json()["start"] == "2026-12-20T16:00:00Z"
    listed = {p["id"]: p for p in client.get("/api/v1/rotation").json()}
    assert listed[week.json()["id"]]["start"] == "2026-11-29T16:00:00Z"
    assert "applied_at" in listed[zoned.json()["id"]]


def test_a_center_week_starts_on_the_centers_monday(monkeypatch):
    sunday_evening_utc = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Monday 01:00 in Shanghai

    assert rotation_service.week_of(sunday_evening_utc) == (
        datetime(2026, 11, 30, tzinfo=SHANGHAI),
        datetime(2026, 12, 7, tzinfo=SHANGHAI),
    )
    monkeypatch.setattr(get_settings(), "center_timezone", "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    assert rotation_service.week_of(sunday_evening_utc) == (
        datetime(2026, 11, 23, tzinfo=berlin),
        datetime(2026, 11, 30, tzinfo=berlin),
    )
    # A week across a change of clocks is seven calendar days, not 168 hours.
    start, end = rotation_service.center_period(date(2026, 3, 23))
    assert (start, end) == (
        datetime(2026, 3, 23, tzinfo=berlin),
        datetime(2026, 3, 30, tzinfo=berlin),
    )
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 7 * 24 * 3600 - 3600


def test_periods_at_the_ends_of_the_calendar_are_refused_not_crashed_on(client):
    for start in ("0001-01-01", "9999-12-31", "9999-12-31T23:00:00-05:00"):
        answer = client.post("/api/v1/rotation", json={"start": start})
        assert answer.status_code == 422, (start, answer.text)
