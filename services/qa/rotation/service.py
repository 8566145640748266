"""Planning and storing monitor rotation periods; inspectors' current areas follow the plan.

Periods are cut on the center's clock (``ZHIJIAN_CENTER_TIMEZONE``): a week starts on the
center's Monday midnight, not UTC's. Who watches an area now is one answer,
``people_service.current_areas`` / ``watchers``: a period writes it once, when it comes into
force (``bring_into_force``); areas set by hand afterwards stay until the next period.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calls.service import Call
from services.db import center_time, center_zone, unique, utcnow
from services.errors import InvalidInput
from services.i18n import _
from services.people import service as people_service
from services.people.service import Area, Role, User
from services.qa.rotation import roster
from services.qa.rotation.tables import RotationAssignment, RotationPeriod
from services.qa.sampling.service import SampledCall


def workloads(
    *, db_session: Session, areas: list[Area], since: datetime | None
) -> dict[int, float]:
    """Expected work per area: calls sampled there since ``since`` (1 where nothing is known)."""
    found = {}
    for area in areas:
        query = (
            select(func.count()).select_from(SampledCall).join(Call, Call.id == SampledCall.call_id)
        )
        query = query.where(or_(Call.queue.in_(area.queues), Call.team.in_(area.teams)))
        if since is not None:
            query = query.where(Call.created_at >= since)
        found[area.id] = float(db_session.scalar(query) or 0) or 1.0
    return found


PERIOD = timedelta(weeks=1)


def center_period(
    start: date | datetime, end: date | datetime | None = None
) -> tuple[datetime, datetime]:
    """A period as the center means it: days are center days, a time without a zone is the
    center's, and the period lasts a week of center days unless ``end`` says otherwise."""
    begins = center_time(start)
    if end is not None:
        return begins, center_time(end)
    # A week of calendar days on the center's clock (the same local time seven days on).
    local = begins.astimezone(center_zone())
    return begins, (local.replace(tzinfo=None) + PERIOD).replace(tzinfo=center_zone())


def week_of(at: datetime) -> tuple[datetime, datetime]:
    """The center week (Monday midnight to Monday midnight, center time) that holds ``at``."""
    local = at.astimezone(center_zone())
    monday = local.date() - timedelta(days=local.weekday())
    return center_period(monday)


def in_force(*, db_session: Session, at: datetime) -> RotationPeriod | None:
    """The period in force at ``at``: the newest that has started and not ended."""
    return db_session.scalars(
        select(RotationPeriod)
        .where(RotationPeriod.start <= at, RotationPeriod.end > at)
        .order_by(RotationPeriod.start.desc())
        .limit(1)
    ).first()


def bring_into_force(*, db_session: Session, at: datetime | None = None) -> RotationPeriod | None:
    """Gives the inspectors the areas of the period in force at ``at`` (default now), once per
    period: run hourly, when a period is planned and before assignment. Returns that period."""
    period = in_force(db_session=db_session, at=at or utcnow())
    if period is None or period.applied_at is not None:
        return period
    chosen = {a.area_id: a.user_id for a in assignments(db_session=db_session, period=period)}
    for inspector in db_session.scalars(
        select(User).where(User.role == Role.INSPECTOR, User.active.is_(True))
    ):
        mine = [area_id for area_id, user_id in chosen.items() if user_id == inspector.id]
        people_service.assign_areas(db_session=db_session, user=inspector, area_ids=mine)
    period.applied_at = utcnow()
    db_session.flush()
    return period


def latest(*, db_session: Session) -> RotationPeriod | None:
    """The newest planned period."""
    return db_session.scalars(
        select(RotationPeriod).order_by(RotationPeriod.start.desc()).limit(1)
    ).first()


def assignments(*, db_session: Session, period: RotationPeriod) -> list[RotationAssignment]:
    """A period's area → inspector assignments."""
    return list(
        db_session.scalars(
            select(RotationAssignment)
            .where(RotationAssignment.period_id == period.id)
            .order_by(RotationAssignment.area_id)
        )
    )


def named_assignments(
    *, db_session: Session, period: RotationPeriod
) -> list[tuple[RotationAssignment, str, str]]:
    """A period's assignments, each with its area's name and its inspector's username."""
    rows = assignments(db_session=db_session, period=period)
    areas = {a.id: a.name for a in db_session.scalars(select(Area))}
    users = {
        u.id: u.username
        for u in db_session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))
    }
    return [(r, areas.get(r.area_id, "?"), users.get(r.user_id, "?")) for r in rows]


def history(*, db_session: Session, limit: int) -> list[RotationPeriod]:
    """The newest periods first."""
    return list(
        db_session.scalars(
            select(RotationPeriod).order_by(RotationPeriod.start.desc()).limit(limit)
        )
    )


def plan_period(
    *,
    db_session: Session,
    start: datetime,
    end: datetime,
    created_by: str,
    since: datetime | None = None,
) -> RotationPeriod:
    """Plans and stores the period from ``start``; the inspectors' current areas become its
    own when it comes into force (at once if it has started)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput(_("a rotation period's start and end need their time zone"))
    if end <= start:
        raise InvalidInput(_("a rotation period ends after it starts"))
    inspectors = list(
        db_session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active.is_(True)))
    )
    areas = list(db_session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.id)))
    if not inspectors or not areas:
        raise InvalidInput(_("rotation needs at least one active inspector and one area"))
    previous = latest(db_session=db_session)
    before = (
        {a.area_id: a.user_id for a in assignments(db_session=db_session, period=previous)}
        if previous
        else {}
    )
    work = workloads(db_session=db_session, areas=areas, since=since)
    # Nobody keeps an area: neither last period's inspector nor, where the new period follows
    # today's (or the first plan follows areas set by hand), whoever watches it now.
    follows_today = previous is None or previous == in_force(db_session=db_session, at=utcnow())
    now = people_service.watchers(db_session=db_session) if follows_today else {}
    loads = [
        roster.AreaLoad(
            a.id, frozenset(a.teams), work[a.id], before.get(a.id), frozenset(now.get(a.id, []))
        )
        for a in areas
    ]
    try:
        chosen = roster.plan(
            [roster.Inspector(i.id, i.team) for i in inspectors],
            loads,
            seed=start.astimezone(UTC).isoformat(),  # one instant, one plan, however written
        )
    except roster.RotationImpossible as exc:
        raise InvalidInput(str(exc)) from None
    period = RotationPeriod(start=start, end=end, created_by=created_by)
    with unique(db_session, f"a rotation period starting {start.isoformat()} exists"):
        db_session.add(period)
    db_session.add_all(
        RotationAssignment(
            period_id=period.id, area_id=area_id, user_id=user_id, workload=work[area_id]
        )
        for area_id, user_id in chosen.items()
    )
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=created_by,
        action="rotation.plan",
        detail={"period": period.id, "start": start.isoformat(), "end": end.isoformat(),
                "areas": {str(a): u for a, u in chosen.items()}},
    )  # fmt: skip
    bring_into_force(db_session=db_session)  # a period that has started applies at once
    return period
