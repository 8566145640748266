"""A rotation period gives the inspectors its areas when it comes into force, once: a period
planned ahead leaves today's areas alone, and areas set by hand after it came into force stay
until the next period does."""

from datetime import timedelta

from services.db import utcnow
from services.people import service as people_service
from services.people.tables import Area
from services.qa.rotation import service as rotation_service
from services.qa.rotation.tables import RotationAssignment, RotationPeriod
from tests import factories


def _areas(db_session, user):
    return people_service.current_areas(db_session=db_session, user_id=user.id)


def test_a_period_gives_its_areas_when_it_comes_into_force_and_hand_changes_stay(db_session):
    first, _ = factories.user(db_session, "inspector")
    second, _ = factories.user(db_session, "inspector")
    area = Area(name=factories.unique("force"), queues=["force-q"], teams=[])
    db_session.add(area)
    db_session.flush()
    this_week, next_week = rotation_service.week_of(utcnow())
    now = rotation_service.plan_period(
        db_session=db_session, start=this_week, end=next_week, created_by="t"
    )
    watcher = first if _areas(db_session, first) == [area.id] else second
    other = second if watcher is first else first

    ahead = rotation_service.plan_period(
        db_session=db_session, start=next_week, end=next_week + timedelta(weeks=1), created_by="t"
    )

    assert now.applied_at is not None and ahead.applied_at is None
    assert _areas(db_session, watcher) == [area.id]  # next week's plan waits for next week
    assert _areas(db_session, other) == []
    # By hand, this week: stays, though the hourly job looks again.
    people_service.assign_areas(db_session=db_session, user=other, area_ids=[area.id])
    assert rotation_service.bring_into_force(db_session=db_session) == now
    assert _areas(db_session, other) == [area.id]
    # Next week the plan comes into force: the area changes hands, once.
    later = next_week + timedelta(hours=1)
    assert rotation_service.bring_into_force(db_session=db_session, at=later) == ahead
    assert ahead.applied_at is not None
    assert _areas(db_session, other) == [area.id] and _areas(db_session, watcher) == []


def test_the_hourly_job_brings_the_period_that_started_into_force(db_session):
    from workers.tasks import rotation

    inspector, _ = factories.user(db_session, "inspector")
    area = Area(name=factories.unique("hourly"), queues=["hourly-q"], teams=[])
    db_session.add(area)
    db_session.flush()
    start, end = rotation_service.week_of(utcnow())
    period = RotationPeriod(start=start, end=end, created_by="t")  # planned ahead, now started
    db_session.add(period)
    db_session.flush()
    db_session.add(RotationAssignment(period_id=period.id, area_id=area.id, user_id=inspector.id))
    db_session.commit()

    rotation()

    db_session.refresh(period)
    assert period.applied_at is not None
    assert _areas(db_session, inspector) == [area.id]
