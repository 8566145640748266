"""Handing sampled calls to inspectors: each to an inspector watching its area now (their
current areas, ``people_service.watchers``), the least loaded where several could take it; where
nobody can, to the least-loaded inspector not from the call's team, saying why."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calls.service import Call
from services.db import utcnow
from services.errors import Conflict, InvalidInput, NotFound
from services.i18n import N_, _
from services.notifications import service as notify
from services.people import service as people_service
from services.people.service import Area, Principal, Role, User
from services.qa.reviews.tables import Review, ReviewStatus
from services.qa.rotation import service as rotation_service
from services.qa.sampling.due import reviews_due
from services.qa.sampling.service import SampledCall, SamplingRun


def second_reviewer(*, db_session: Session, call: Call, first: int) -> User:
    """The least-loaded active inspector, other than ``first`` and not of the call's team, to
    review the call a second time."""
    return _desk(db_session).fallback(call, absent=first)


@dataclass(frozen=True)
class Placed:
    """A review and why it went where it did: its call's area, and the reason it fell back
    to the least-loaded inspector (None: an inspector of the area took it)."""

    review: Review
    area: str | None
    fallback: str | None


@dataclass
class _Desk:
    """What assignment decides from: the active inspectors, who watches which area, the load."""

    inspectors: dict[int, User]
    areas: Sequence[Area]
    watchers: dict[int, list[int]]
    load: dict[int, int]

    def place(self, call: Call) -> tuple[User, Area | None, str | None]:
        """The inspector for ``call``, its area, and why it fell back (None if it did not).
        A call in several areas (by queue and by team) may go to a watcher of any of them."""
        areas = [a for a in self.areas if call.queue in a.queues or call.team in a.teams]
        if not areas:
            return self._take(self.fallback(call)), None, _("the call is in no area")
        watching = {  # inspector id → the first of the call's areas they watch
            i: area
            for area in reversed(areas)
            for i in self.watchers.get(area.id, [])
            if i in self.inspectors
        }
        allowed = [
            self.inspectors[i]
            for i in watching
            if call.team is None or self.inspectors[i].team != call.team
        ]
        if allowed:
            chosen = min(allowed, key=self._order)
            return self._take(chosen), watching[chosen.id], None
        names = ", ".join(a.name for a in areas)
        reason = (
            _("the inspectors watching area {area} belong to the call's team", area=names)
            if watching
            else _("no inspector watches area {area}", area=names)
        )
        return self._take(self.fallback(call)), areas[0], reason

    def fallback(self, call: Call, absent: int | None = None) -> User:
        """The least-loaded active inspector who is not from the call's team."""
        options = [
            i
            for i in self.inspectors.values()
            if i.id != absent and (call.team is None or i.team != call.team)
        ]
        if not options:
            raise InvalidInput(
                _(
                    "no inspector can take call {call_id}: all are absent or from its team",
                    call_id=call.id,
                )
            )
        return min(options, key=self._order)

    def _order(self, inspector: User) -> tuple[int, int]:
        return self.load.get(inspector.id, 0), inspector.id

    def _take(self, inspector: User) -> User:
        self.load[inspector.id] = self.load.get(inspector.id, 0) + 1
        return inspector


def _desk(db_session: Session) -> _Desk:
    # The rotation period that has started since the last look gives its areas first.
    rotation_service.bring_into_force(db_session=db_session)
    inspectors = list(
        db_session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active.is_(True)))
    )
    if not inspectors:
        raise InvalidInput(_("there is no active inspector to assign reviews to"))
    rows = db_session.execute(
        select(Review.inspector_id, func.count())
        .where(Review.status == ReviewStatus.OPEN)
        .group_by(Review.inspector_id)
    ).all()
    return _Desk(
        inspectors={i.id: i for i in inspectors},
        areas=list(db_session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.id))),
        watchers=people_service.watchers(db_session=db_session),
        load={int(user_id): int(count) for user_id, count in rows},
    )


def assign_run(*, db_session: Session, run: SamplingRun) -> list[Placed]:
    """Creates a review for each call the run picked (once: assigning again changes nothing)."""
    desk = _desk(db_session)
    # A call already reviewed (by this run or any other) is not reviewed again: that is a
    # re-evaluation, asked for explicitly.
    picked = select(SampledCall.call_id).where(SampledCall.run_id == run.id)
    done = set(db_session.scalars(select(Review.call_id).where(Review.call_id.in_(picked))))
    due = reviews_due(run)
    created = []
    for pick in db_session.scalars(
        select(SampledCall).where(SampledCall.run_id == run.id).order_by(SampledCall.id)
    ):
        call = db_session.get(Call, pick.call_id)
        if pick.call_id in done or call is None:
            continue
        inspector, area, fallback = desk.place(call)
        review = Review(
            call_id=call.id,
            run_id=run.id,
            inspector_id=inspector.id,
            priority=0 if pick.kind == "risk" else 1,
            reason=pick.reason,
            due_at=due,
        )
        db_session.add(review)
        created.append(Placed(review, area.name if area else None, fallback))
    _tell_inspectors(db_session, [p.review for p in created])
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        action="review.assign",
        detail={
            "run": run.id,
            "reviews": {str(p.review.id): p.review.inspector_id for p in created},
        },
    )
    return created


def started(review: Review) -> bool:
    """Whether an inspector has begun (saved a draft) or finished the review."""
    return review.status != ReviewStatus.OPEN or bool(review.draft)


def reassign_run(
    *,
    db_session: Session,
    run: SamplingRun,
    review_ids: Iterable[int] | None = None,
    to: User | None = None,
) -> list[Placed]:
    """Assigns a run's unstarted reviews again: to ``to``, or by the current areas as the run
    was assigned. Named reviews must be the run's and unstarted (Conflict otherwise); without
    names, every unstarted review of the run moves and the started ones stay."""
    query = select(Review).where(Review.run_id == run.id).order_by(Review.id)
    if review_ids is not None:
        wanted = set(review_ids)
        reviews = list(db_session.scalars(query.where(Review.id.in_(wanted))))
        missing = sorted(wanted - {r.id for r in reviews})
        if missing:
            raise NotFound(
                _(
                    "run {run_id} has no review {ids}",
                    run_id=run.id,
                    ids=", ".join(map(str, missing)),
                )
            )
        busy = [r.id for r in reviews if started(r)]
        if busy:
            raise Conflict(
                _(
                    "review {ids} is started or submitted; only unstarted reviews "
                    "can be reassigned",
                    ids=", ".join(map(str, busy)),
                )
            )
    else:
        reviews = [r for r in db_session.scalars(query) if not started(r)]
    if to is not None and (to.role != Role.INSPECTOR or not to.active):
        raise InvalidInput(_("{username} is not an active inspector", username=to.username))
    desk = _desk(db_session)
    for review in reviews:  # their current places do not count against anyone
        desk.load[review.inspector_id] = desk.load.get(review.inspector_id, 1) - 1
    placed, moved = [], []
    for review in reviews:
        call = db_session.get(Call, review.call_id)
        assert call is not None  # reviews go with their call (ON DELETE CASCADE)
        if to is not None:
            inspector, area, fallback = _by_hand(desk, call, to)
        else:
            inspector, area, fallback = desk.place(call)
        if inspector.id != review.inspector_id:
            review.inspector_id = inspector.id
            moved.append(review)
        placed.append(Placed(review, area.name if area else None, fallback))
    _tell_inspectors(db_session, moved)
    return placed


def _by_hand(desk: _Desk, call: Call, to: User) -> tuple[User, Area | None, str | None]:
    """``to`` takes the call, unless it is from the call's team."""
    if call.team is not None and to.team == call.team:
        raise InvalidInput(
            _(
                "{username} belongs to the team of call {call_id}",
                username=to.username,
                call_id=call.id,
            )
        )
    desk.load[to.id] = desk.load.get(to.id, 0) + 1
    areas = [a for a in desk.areas if call.queue in a.queues or call.team in a.teams]
    return to, areas[0] if areas else None, None


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
    db_session.flush()


def reassign_from(*, db_session: Session, inspector: User) -> list[Review]:
    """Moves an absent inspector's open reviews to the least-loaded others (never their team's)."""
    desk = _desk(db_session)
    moved = []
    for review in db_session.scalars(
        select(Review)
        .where(Review.inspector_id == inspector.id, Review.status == ReviewStatus.OPEN)
        .order_by(Review.id)
    ):
        call = db_session.get(Call, review.call_id)
        assert call is not None
        target = desk.fallback(call, absent=inspector.id)
        review.inspector_id = target.id
        desk.load[target.id] = desk.load.get(target.id, 0) + 1
        moved.append(review)
    _tell_inspectors(db_session, moved)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        action="review.reassign",
        detail={"from": inspector.username, "reviews": {str(r.id): r.inspector_id for r in moved}},
    )
    return moved


def queue(
    *,
    db_session: Session,
    principal: Principal,
    status: str,
    limit: int,
    overdue: bool = False,
) -> list[Review]:
    """Reviews in priority order, risky first, then the soonest due (those without a due date
    last), then oldest: an inspector's own, or (for managers) everyone's; ``overdue``: only
    the open ones past their due date."""
    query = select(Review).where(Review.status == status)
    if principal.role == Role.INSPECTOR:
        query = query.where(Review.inspector_id == principal.user_id)
    if overdue:
        query = query.where(Review.status == ReviewStatus.OPEN, Review.due_at < utcnow())
    order = (Review.priority, Review.due_at.asc().nulls_last(), Review.assigned_at, Review.id)
    return list(db_session.scalars(query.order_by(*order).limit(limit)))
