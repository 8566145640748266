"""Handing sampled calls to inspectors: each to the inspector watching its area this period,
the least loaded where several could take it, and away from an absent inspector."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.calls.tables import Call
from services.errors import InvalidInput
from services.i18n import N_, _
from services.notifications import service as notify
from services.people.service import Principal
from services.people.tables import Area, Role, User
from services.qa.reviews.tables import Review, ReviewStatus
from services.qa.rotation import service as rotation_service
from services.qa.sampling.tables import SampledCall, SamplingRun


def _open_load(db_session: Session) -> dict[int, int]:
    rows = db_session.execute(
        select(Review.inspector_id, func.count())
        .where(Review.status == ReviewStatus.OPEN)
        .group_by(Review.inspector_id)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows}


def _area_of(call: Call, areas: Sequence[Area]) -> Area | None:
    return next((a for a in areas if call.queue in a.queues or call.team in a.teams), None)


def _fallback(
    inspectors: list[User], load: dict[int, int], call: Call, absent: int | None = None
) -> User:
    """The least-loaded active inspector who is not from the call's team."""
    options = [i for i in inspectors if i.id != absent and i.team != call.team]
    if not options:
        raise InvalidInput(
            _(
                "no inspector can take call {call_id}: all are absent or from its team",
                call_id=call.id,
            )
        )
    return min(options, key=lambda i: (load.get(i.id, 0), i.id))


def assign_run(*, db_session: Session, run: SamplingRun) -> list[Review]:
    """Creates a review for each call the run picked (once: assigning again changes nothing)."""
    inspectors = list(
        db_session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active.is_(True)))
    )
    if not inspectors:
        raise InvalidInput(_("there is no active inspector to assign reviews to"))
    period = rotation_service.latest(db_session=db_session)
    watcher = (
        {
            a.area_id: a.user_id
            for a in rotation_service.assignments(db_session=db_session, period=period)
        }
        if period
        else {}
    )
    areas = list(db_session.scalars(select(Area).order_by(Area.id)))
    by_id = {i.id: i for i in inspectors}
    load = _open_load(db_session)
    done = set(db_session.scalars(select(Review.call_id).where(Review.run_id == run.id)))
    created = []
    for pick in db_session.scalars(
        select(SampledCall).where(SampledCall.run_id == run.id).order_by(SampledCall.id)
    ):
        if pick.call_id in done:
            continue
        call = db_session.get(Call, pick.call_id)
        if call is None:
            continue
        area = _area_of(call, areas)
        inspector = by_id.get(watcher.get(area.id, -1)) if area else None
        if inspector is None or (call.team is not None and inspector.team == call.team):
            inspector = _fallback(inspectors, load, call)  # nobody there, or their own team
        review = Review(
            call_id=call.id,
            run_id=run.id,
            inspector_id=inspector.id,
            priority=0 if pick.kind == "risk" else 1,
            reason=pick.reason,
        )
        db_session.add(review)
        load[inspector.id] = load.get(inspector.id, 0) + 1
        created.append(review)
    _tell_inspectors(db_session, created)
    db_session.flush()
    return created


def _tell_inspectors(db_session: Session, reviews: list[Review]) -> None:
    """One notification per inspector for a batch of reviews, not one per call."""
    db_session.flush()
    by_inspector: dict[int, list[int]] = {}
    for review in reviews:
        by_inspector.setdefault(review.inspector_id, []).append(review.id)
    for inspector_id, ids in by_inspector.items():
        notify.add(
            db_session=db_session,
            kind=notify.REVIEW_ASSIGNED,
            user_ids=[inspector_id],
            subject={"review_ids": ids},
            message=N_("{count} call(s) were assigned to you for review.", count=len(ids)),
        )


def reassign_from(*, db_session: Session, inspector: User) -> list[Review]:
    """Moves an absent inspector's open reviews to the least-loaded others (never their team's)."""
    inspectors = list(
        db_session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active.is_(True)))
    )
    load = _open_load(db_session)
    moved = []
    for review in db_session.scalars(
        select(Review)
        .where(Review.inspector_id == inspector.id, Review.status == ReviewStatus.OPEN)
        .order_by(Review.id)
    ):
        call = db_session.get(Call, review.call_id)
        assert call is not None
        target = _fallback(inspectors, load, call, absent=inspector.id)
        review.inspector_id = target.id
        load[target.id] = load.get(target.id, 0) + 1
        moved.append(review)
    _tell_inspectors(db_session, moved)
    db_session.flush()
    return moved


def queue(*, db_session: Session, principal: Principal, status: str, limit: int) -> list[Review]:
    """Reviews in priority order, risky first, then oldest: an inspector's own, or (for
    managers) everyone's."""
    query = select(Review).where(Review.status == status)
    if principal.role == Role.INSPECTOR:
        query = query.where(Review.inspector_id == principal.user_id)
    return list(
        db_session.scalars(
            query.order_by(Review.priority, Review.assigned_at, Review.id).limit(limit)
        )
    )
