"""Planning and storing monitor rotation periods; inspectors' current areas follow the plan."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.calls.tables import Call
from services.db import unique
from services.errors import InvalidInput
from services.i18n import _
from services.people import service as people_service
from services.people.tables import Area, Role, User
from services.qa.rotation import roster
from services.qa.rotation.tables import RotationAssignment, RotationPeriod
from services.qa.sampling.tables import SampledCall


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
    """Plans and stores the period from ``start``; sets every inspector's current areas to it."""
    if end <= start:
        raise InvalidInput(_("a rotation period ends after it starts"))
    inspectors = list(
        db_session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active.is_(True)))
    )
    areas = list(db_session.scalars(select(Area).order_by(Area.id)))
    if not inspectors or not areas:
        raise InvalidInput(_("rotation needs at least one active inspector and one area"))
    previous = latest(db_session=db_session)
    before = (
        {a.area_id: a.user_id for a in assignments(db_session=db_session, period=previous)}
        if previous
        else {}
    )
    work = workloads(db_session=db_session, areas=areas, since=since)
    loads = [roster.AreaLoad(a.id, frozenset(a.teams), work[a.id], before.get(a.id)) for a in areas]
    try:
        chosen = roster.plan(
            [roster.Inspector(i.id, i.team) for i in inspectors],
            loads,
            seed=f"{start.isoformat()}",
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
    for inspector in inspectors:
        mine = [area_id for area_id, user_id in chosen.items() if user_id == inspector.id]
        people_service.assign_areas(db_session=db_session, user=inspector, area_ids=mine)
    return period
