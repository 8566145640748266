"""Sampling plans and runs: which calls each agent gets reviewed for, stored with why."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calls import service as calls_service
from services.calls.service import Call, CallStatus
from services.config import get_settings
from services.db import unique, utcnow
from services.errors import NotFound
from services.i18n import N_, Message, _, stored
from services.people.service import Role, User
from services.qa.sampling import picks
from services.qa.sampling.schemas import PlanSpec
from services.qa.sampling.tables import SampledCall, SamplingPlan, SamplingRun
from services.scoring.service import CallScore, RuleHit


def create_plan(*, db_session: Session, spec: PlanSpec) -> SamplingPlan:
    """Stores a plan."""
    plan = SamplingPlan(name=spec.name, spec=spec.model_dump(mode="json"))
    with unique(db_session, _("a plan named {name} exists", name=repr(spec.name))):
        db_session.add(plan)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        action="sampling.plan_create",
        detail={"plan": plan.id, "spec": plan.spec},
    )
    return plan


def get_plans(*, db_session: Session) -> list[SamplingPlan]:
    """Every plan not deleted."""
    return list(
        db_session.scalars(
            select(SamplingPlan).where(SamplingPlan.deleted_at.is_(None)).order_by(SamplingPlan.id)
        )
    )


def get_plan_or_raise(*, db_session: Session, plan_id: int) -> SamplingPlan:
    """A plan by id (not deleted), or NotFound."""
    plan = db_session.get(SamplingPlan, plan_id)
    if plan is None or plan.deleted_at is not None:
        raise NotFound(_("sampling plan {plan_id} does not exist", plan_id=plan_id))
    return plan


def center_tz() -> ZoneInfo:
    """The center's time zone: it cuts the days, weeks and months sampled."""
    return ZoneInfo(get_settings().center_timezone)


def candidates(
    *,
    db_session: Session,
    spec: PlanSpec,
    start: datetime,
    end: datetime,
    own_run: int | None = None,
) -> list[picks.Candidate]:
    """Scored calls of the period that pass the plan's filters, with their risk; less the
    calls QA has already: reviewed or under review, or picked by another run (``own_run``, the
    run being repeated, does not count)."""
    when = func.coalesce(Call.started_at, Call.created_at)
    taken = select(SampledCall.call_id)
    if own_run is not None:
        taken = taken.where(SampledCall.run_id != own_run)
    query = select(Call.id, Call.agent_id, when).where(
        Call.status == CallStatus.SCORED,
        Call.agent_id.is_not(None),
        when >= start,
        when < end,
        Call.id.not_in(calls_service.reviewed_ids()),
        Call.id.not_in(taken),
    )
    f = spec.filters
    if f.queues:
        query = query.where(Call.queue.in_(f.queues))
    if f.teams:
        query = query.where(Call.team.in_(f.teams))
    if f.direction:
        query = query.where(Call.direction == f.direction)
    if f.min_duration_s is not None:
        query = query.where(Call.duration_s >= f.min_duration_s)
    if f.max_duration_s is not None:
        query = query.where(Call.duration_s <= f.max_duration_s)
    rows = db_session.execute(query).all()
    ids = [r[0] for r in rows]
    scores = _latest_scores(db_session, ids)
    escalated = _with_category(db_session, ids, "escalation_risk")
    found = []
    for call_id, agent_id, at in rows:
        rank, reason = _risk(spec, scores.get(call_id), call_id in escalated)
        at = at if at.tzinfo else at.replace(tzinfo=start.tzinfo)
        found.append(picks.Candidate(call_id, str(agent_id), at, rank, reason))
    return found


def _chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    """Ids in slices small enough for one IN (…) clause."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _latest_scores(db_session: Session, ids: list[int]) -> dict[int, CallScore]:
    latest: dict[int, CallScore] = {}
    for chunk in _chunks(ids):
        for score in db_session.scalars(
            select(CallScore).where(CallScore.call_id.in_(chunk)).order_by(CallScore.id)
        ):
            latest[score.call_id] = score  # ordered by id: the newest wins
    return latest


def _with_category(db_session: Session, ids: list[int], category: str) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            db_session.scalars(
                select(RuleHit.call_id)
                .where(RuleHit.call_id.in_(chunk), RuleHit.category == category)
                .distinct()
            )
        )
    return found


def _risk(spec: PlanSpec, score: CallScore | None, escalated: bool) -> tuple[int | None, str]:
    """The call's risk rank and why, kept as a Message (as text) so each reader sees it in
    their own language, not in that of whoever started the run."""
    rank, why = _risk_message(spec, score, escalated)
    return rank, stored(why) if why is not None else ""


def _risk_message(
    spec: PlanSpec, score: CallScore | None, escalated: bool
) -> tuple[int | None, Message | None]:
    always = spec.always
    if score is not None and always.red_line and score.auto_failed:
        red_lines = [
            f"{i['name']} ({i['rule']})"
            for i in score.items
            if i.get("auto_fail") and i.get("status") == "hit"
        ]
        return 0, N_("red line: {items}", items=red_lines or list(score.reasons))
    if always.escalation and escalated:
        return 1, N_("escalation words (complaint, regulator, lawsuit, compensation)")
    if score is not None and always.flagged and score.flagged:
        return 1, N_("flagged: {reasons}", reasons=list(score.reasons))
    if (
        score is not None
        and always.score_below is not None
        and score.percent is not None
        and score.percent < always.score_below
    ):
        return 2, N_(
            "machine score {percent} under {limit}",
            percent=f"{score.percent:.0f}",
            limit=f"{always.score_below:.0f}",
        )
    return None, None


def quotas(*, db_session: Session, spec: PlanSpec, start: datetime) -> dict[str, int]:
    """Picks per agent: more for agents hired within ``new_hire_months`` before the period."""
    since = (start - timedelta(days=round(30.44 * spec.new_hire_months))).date()
    rows = db_session.execute(
        select(User.agent_id, User.hired_on).where(
            User.role == Role.AGENT, User.agent_id.is_not(None)
        )
    ).all()
    return {
        str(agent): spec.new_hire_per_agent
        if hired is not None and _on(hired) >= since
        else spec.per_agent
        for agent, hired in rows
    }


def _on(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def run(
    *, db_session: Session, plan: SamplingPlan, at: datetime | None, dry_run: bool, created_by: str
) -> tuple[SamplingRun | None, datetime, datetime, list[picks.Pick]]:
    """Samples one period (the one containing ``at``, default the last complete one), cut in
    the center's time zone.

    A real run is stored once per plan and period: asking again returns the stored picks.
    """
    spec = PlanSpec.model_validate(plan.spec)
    tz = center_tz()
    start, end = (
        picks.period_bounds(spec.period, at, tz)
        if at
        else picks.previous_period(spec.period, utcnow(), tz)
    )
    existing = db_session.scalars(
        select(SamplingRun).where(SamplingRun.plan_id == plan.id, SamplingRun.period_start == start)
    ).one_or_none()
    if existing is not None and not dry_run:
        return existing, start, end, stored_picks(db_session=db_session, run=existing)
    own_run = existing.id if existing is not None else None
    chosen = picks.pick(
        candidates(db_session=db_session, spec=spec, start=start, end=end, own_run=own_run),
        spec=spec,
        quotas=quotas(db_session=db_session, spec=spec, start=start),
        start=start,
        end=end,
    )
    if dry_run:
        return None, start, end, chosen
    stored = SamplingRun(plan_id=plan.id, period_start=start, period_end=end, seed=spec.seed,
                         spec=plan.spec, created_by=created_by)  # fmt: skip
    db_session.add(stored)
    db_session.flush()
    db_session.add_all(
        SampledCall(
            run_id=stored.id, call_id=p.call_id, agent_id=p.agent_id, kind=p.kind, reason=p.reason
        )
        for p in chosen
    )
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=created_by,
        action="sampling.run",
        detail={"plan": plan.id, "run": stored.id, "period_start": start.isoformat(),
                "picks": len(chosen)},
    )  # fmt: skip
    return stored, start, end, chosen


def get_run_or_raise(*, db_session: Session, run_id: int) -> SamplingRun:
    """A stored run, or NotFound."""
    stored = db_session.get(SamplingRun, run_id)
    if stored is None:
        raise NotFound(_("sampling run {run_id} does not exist", run_id=run_id))
    return stored


def runs_of(*, db_session: Session, plan: SamplingPlan) -> list[tuple[SamplingRun, int]]:
    """A plan's stored runs, newest period first, each with how many calls it picked."""
    counted = (
        select(SampledCall.run_id, func.count().label("picked"))
        .group_by(SampledCall.run_id)
        .subquery()
    )
    rows = db_session.execute(
        select(SamplingRun, func.coalesce(counted.c.picked, 0))
        .outerjoin(counted, counted.c.run_id == SamplingRun.id)
        .where(SamplingRun.plan_id == plan.id)
        .order_by(SamplingRun.period_start.desc(), SamplingRun.id.desc())
    ).all()
    return [(r, int(n)) for r, n in rows]


def stored_picks(*, db_session: Session, run: SamplingRun) -> list[picks.Pick]:
    """The picks a stored run made."""
    rows = db_session.scalars(
        select(SampledCall).where(SampledCall.run_id == run.id).order_by(SampledCall.id)
    )
    return [picks.Pick(r.call_id, r.agent_id, r.kind, r.reason) for r in rows]


def run_due(*, db_session: Session, now: datetime) -> list[int]:
    """Runs every active plan for its last complete period, once; returns the new run ids."""
    created = []
    live = select(SamplingPlan).where(
        SamplingPlan.active.is_(True), SamplingPlan.deleted_at.is_(None)
    )
    for plan in list(db_session.scalars(live)):
        start, _end = picks.previous_period(
            PlanSpec.model_validate(plan.spec).period, now, center_tz()
        )
        done = db_session.scalar(
            select(SamplingRun.id).where(
                SamplingRun.plan_id == plan.id, SamplingRun.period_start == start
            )
        )
        if done is None:
            stored, *_ = run(
                db_session=db_session, plan=plan, at=start, dry_run=False, created_by="schedule"
            )
            assert stored is not None
            created.append(stored.id)
    return created
