"""QA workflow over HTTP: sampling, rotation, reviews, evaluations, disputes, the discipline
ladder and notifications. Each object is authorised in its service (visible_to / *_or_raise)."""

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select

from services.api.auth import Auth, Managers, require
from services.calls import service as calls_service
from services.calls.schemas import MAX_ID, CallSummary, TurnOut
from services.calls.tables import utcnow
from services.config import get_settings
from services.db import DbSession
from services.errors import NotFound
from services.people import service as people_service
from services.people.service import Principal
from services.people.tables import Area, Role, User
from services.qa import (
    assignment,
    discipline,
    disputes,
    evaluations,
    notify,
    reviews,
    rotation_service,
)
from services.qa import service as qa_service
from services.qa.sampling import Pick
from services.qa.schemas import (
    AssignmentOut,
    CorrectionIn,
    DecisionIn,
    DisciplineOut,
    DisputeIn,
    DisputeOut,
    DraftIn,
    EvaluationDetailOut,
    EvaluationOut,
    NotificationOut,
    PeriodOut,
    PickOut,
    PlanOut,
    PlanSpec,
    ReassignIn,
    RecordOut,
    ReviewDetailOut,
    ReviewOut,
    RotationIn,
    RunIn,
    RunOut,
    SubmitIn,
    VersionOut,
)
from services.qa.tables import Evaluation, Notification, RotationPeriod, SamplingPlan, SamplingRun
from services.scoring.schemas import ScoreOut
from services.speech import service as speech_service

router = APIRouter(prefix="/api/v1/sampling", tags=["qa"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _picks_out(picks: list[Pick]) -> list[PickOut]:
    return [
        PickOut(call_id=p.call_id, agent_id=p.agent_id, kind=p.kind, reason=p.reason) for p in picks
    ]


def _plan_out(plan: SamplingPlan) -> PlanOut:
    return PlanOut(id=plan.id, active=plan.active, spec=PlanSpec.model_validate(plan.spec))


@router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(spec: PlanSpec, db_session: DbSession, _principal: Managers) -> PlanOut:
    """Creates a sampling plan."""
    return _plan_out(qa_service.create_plan(db_session=db_session, spec=spec))


@router.get("/plans", response_model=list[PlanOut])
def list_plans(db_session: DbSession, _principal: Managers) -> list[PlanOut]:
    """Every sampling plan."""
    return [_plan_out(p) for p in qa_service.get_plans(db_session=db_session)]


@router.post("/plans/{plan_id}/runs", response_model=RunOut)
def run_plan(plan_id: Id, body: RunIn, db_session: DbSession, principal: Managers) -> RunOut:
    """Samples a period now; ``dry_run`` shows what would be picked without storing it."""
    plan = qa_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    stored, start, end, picks = qa_service.run(
        db_session=db_session,
        plan=plan,
        at=body.at,
        dry_run=body.dry_run,
        created_by=principal.username,
    )
    return RunOut(
        id=stored.id if stored else None,
        plan_id=plan.id,
        period_start=start,
        period_end=end,
        seed=PlanSpec.model_validate(plan.spec).seed,
        dry_run=body.dry_run,
        picks=_picks_out(picks),
    )


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: Id, db_session: DbSession, _principal: Managers) -> RunOut:
    """A stored run and its picks, with why each call was picked."""
    stored = db_session.get(SamplingRun, run_id)
    if stored is None:
        raise NotFound(f"sampling run {run_id} does not exist")
    picks = qa_service.stored_picks(db_session=db_session, run=stored)
    return RunOut(
        id=stored.id,
        plan_id=stored.plan_id,
        period_start=stored.period_start,
        period_end=stored.period_end,
        seed=stored.seed,
        dry_run=False,
        picks=_picks_out(picks),
    )


rotation_router = APIRouter(prefix="/api/v1/rotation", tags=["qa"])


def _period_out(db_session: DbSession, period: RotationPeriod) -> PeriodOut:
    rows = rotation_service.assignments(db_session=db_session, period=period)
    areas = {a.id: a.name for a in db_session.scalars(select(Area))}
    users = {
        u.id: u.username
        for u in db_session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))
    }
    return PeriodOut(
        id=period.id,
        start=period.start,
        end=period.end,
        assignments=[
            AssignmentOut(
                area_id=r.area_id,
                area=areas.get(r.area_id, "?"),
                user_id=r.user_id,
                username=users.get(r.user_id, "?"),
                workload=r.workload,
            )
            for r in rows
        ],
    )


@rotation_router.get("", response_model=list[PeriodOut])
def rotation_plan(
    db_session: DbSession,
    _principal: Annotated[Principal, Depends(require(Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR))],
    limit: Annotated[int, Query(ge=1, le=100)] = 8,
) -> list[PeriodOut]:
    """The current rotation plan first, then the history."""
    return [
        _period_out(db_session, p)
        for p in rotation_service.history(db_session=db_session, limit=limit)
    ]


@rotation_router.post("", response_model=PeriodOut, status_code=201)
def plan_rotation(body: RotationIn, db_session: DbSession, principal: Managers) -> PeriodOut:
    """Plans the next period: every area to a new inspector, workload balanced."""
    period = rotation_service.plan_period(
        db_session=db_session, start=body.start, end=body.end, created_by=principal.username
    )
    return _period_out(db_session, period)


@router.post("/runs/{run_id}/assign", response_model=list[ReviewOut])
def assign_run(run_id: Id, db_session: DbSession, _principal: Managers) -> list[ReviewOut]:
    """Hands the run's calls to the inspectors watching their areas (once)."""
    stored = db_session.get(SamplingRun, run_id)
    if stored is None:
        raise NotFound(f"sampling run {run_id} does not exist")
    return [
        ReviewOut.model_validate(r)
        for r in assignment.assign_run(db_session=db_session, run=stored)
    ]


reviews_router = APIRouter(prefix="/api/v1/reviews", tags=["qa"])
Reviewers = Annotated[Principal, Depends(require(Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR))]


@reviews_router.get("", response_model=list[ReviewOut])
def review_queue(
    db_session: DbSession,
    principal: Reviewers,
    status: Annotated[Literal["open", "submitted"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReviewOut]:
    """An inspector's own queue (managers: everyone's), risky calls first, then oldest."""
    mine = principal.user_id if principal.role == Role.INSPECTOR else None
    reviews = assignment.queue(db_session=db_session, inspector_id=mine, status=status, limit=limit)
    return [ReviewOut.model_validate(r) for r in reviews]


@reviews_router.post("/reassign", response_model=list[ReviewOut])
def reassign(body: ReassignIn, db_session: DbSession, _principal: Managers) -> list[ReviewOut]:
    """Moves an absent inspector's open reviews to the least-loaded other inspectors."""
    user = people_service.get_by_username_or_raise(db_session=db_session, username=body.username)
    return [
        ReviewOut.model_validate(r)
        for r in assignment.reassign_from(db_session=db_session, inspector=user)
    ]


@reviews_router.get("/{review_id}", response_model=ReviewDetailOut)
def review_detail(review_id: Id, db_session: DbSession, principal: Reviewers) -> ReviewDetailOut:
    """The call, its turns (PII masked), the machine score, and the evaluation so far."""
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    call = calls_service.get_or_raise(db_session=db_session, call_id=review.call_id)
    state = reviews.state(db_session=db_session, review=review, by=principal.username)
    return ReviewDetailOut(
        review=ReviewOut.model_validate(review),
        call=CallSummary.model_validate(call),
        turns=[
            TurnOut.model_validate(t)
            for t in speech_service.get_turns(db_session=db_session, call_id=call.id)
        ],
        machine=ScoreOut.model_validate(state.machine),
        items=state.items,
        draft=review.draft,
        missing=state.missing,
        evaluation_id=state.evaluation_id,
    )


@reviews_router.put("/{review_id}", response_model=ReviewOut)
def save_review(
    review_id: Id, body: DraftIn, db_session: DbSession, principal: Reviewers
) -> ReviewOut:
    """Saves hit verdicts, item scores and the call comment of an open review."""
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    saved = reviews.save_draft(
        db_session=db_session,
        review=review,
        principal=principal,
        hits=body.verdicts(),
        items=body.scores(),
        comment=body.comment,
    )
    return ReviewOut.model_validate(saved)


@reviews_router.post("/{review_id}/submit", response_model=EvaluationOut, status_code=201)
def submit_review(
    review_id: Id, body: SubmitIn, db_session: DbSession, principal: Reviewers
) -> EvaluationOut:
    """Submits a complete review as an evaluation (and releases it, if asked)."""
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    row = reviews.submit(db_session=db_session, review=review, principal=principal)
    if body.release:
        row = evaluations.release(db_session=db_session, row=row, principal=principal)
    return _evaluation_out(row)


precision_router = APIRouter(prefix="/api/v1/rules", tags=["qa"])
RuleId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@precision_router.get("/{rule_id}/precision")
def rule_precision(
    rule_id: RuleId,
    db_session: DbSession,
    _principal: Annotated[
        Principal,
        Depends(require(Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR, Role.TRAINING_LEAD)),
    ],
) -> dict:
    """How many of the rule's hits inspectors confirmed, overall and per pack version."""
    reviews.check_exists(db_session=db_session, rule_id=rule_id, rules_dir=get_settings().rules_dir)
    return reviews.precision(db_session=db_session, rule_id=rule_id)


evaluations_router = APIRouter(prefix="/api/v1/evaluations", tags=["qa"])


def _evaluation_out(row: Evaluation) -> EvaluationOut:
    out = EvaluationOut.model_validate(row)
    if row.released_at is not None:
        out.dispute_deadline = row.released_at + timedelta(days=get_settings().dispute_window_days)
    return out


@evaluations_router.get("", response_model=list[EvaluationOut])
def list_evaluations(
    db_session: DbSession,
    principal: Auth,
    agent_id: Annotated[str | None, Query(max_length=255)] = None,
    released: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[EvaluationOut]:
    """The evaluations in force that the caller may see, newest first."""
    rows = evaluations.get_all(
        db_session=db_session,
        principal=principal,
        agent_id=agent_id,
        released=released,
        limit=limit,
    )
    return [_evaluation_out(r) for r in rows]


@evaluations_router.get("/{evaluation_id}", response_model=EvaluationDetailOut)
def get_evaluation(
    evaluation_id: Id, db_session: DbSession, principal: Auth
) -> EvaluationDetailOut:
    """One version, with every version of the review and its disputes."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    history = [
        v
        for v in evaluations.versions(db_session=db_session, review_id=row.review_id)
        if principal.role not in (Role.AGENT, Role.TEAM_LEAD) or v.released_at is not None
    ]
    found = disputes.get_all(db_session=db_session, principal=principal, review_id=row.review_id)
    return EvaluationDetailOut(
        **_evaluation_out(row).model_dump(),
        versions=[VersionOut.model_validate(v) for v in history],
        disputes=[DisputeOut.model_validate(d) for d in found],
    )


@evaluations_router.post("/{evaluation_id}/release", response_model=EvaluationOut)
def release_evaluation(
    evaluation_id: Id, db_session: DbSession, principal: Reviewers
) -> EvaluationOut:
    """Shows the evaluation to the agent."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    return _evaluation_out(evaluations.release(db_session=db_session, row=row, principal=principal))


@evaluations_router.post("/{evaluation_id}/acknowledge", response_model=EvaluationOut)
def acknowledge_evaluation(
    evaluation_id: Id, db_session: DbSession, principal: Auth
) -> EvaluationOut:
    """The agent accepts the evaluation (it can then no longer be disputed)."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    return _evaluation_out(
        evaluations.acknowledge(db_session=db_session, row=row, principal=principal)
    )


@evaluations_router.post(
    "/{evaluation_id}/corrections", response_model=EvaluationOut, status_code=201
)
def correct_evaluation(
    evaluation_id: Id, body: CorrectionIn, db_session: DbSession, principal: Reviewers
) -> EvaluationOut:
    """A new version with items re-scored; the old version is kept."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    fresh = evaluations.correct(
        db_session=db_session,
        row=row,
        principal=principal,
        scores=body.scores(),
        reason=body.reason,
    )
    return _evaluation_out(fresh)


@evaluations_router.post("/{evaluation_id}/disputes", response_model=DisputeOut, status_code=201)
def dispute_evaluation(
    evaluation_id: Id, body: DisputeIn, db_session: DbSession, principal: Auth
) -> DisputeOut:
    """The agent disputes one item, within the window."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    settings = get_settings()
    opened = disputes.open_dispute(
        db_session=db_session,
        row=row,
        principal=principal,
        item_id=body.item_id,
        reason=body.reason,
        window_days=settings.dispute_window_days,
        per_evaluation=settings.disputes_per_evaluation,
    )
    return DisputeOut.model_validate(opened)


disputes_router = APIRouter(prefix="/api/v1/disputes", tags=["qa"])


@disputes_router.get("", response_model=list[DisputeOut])
def list_disputes(
    db_session: DbSession,
    principal: Auth,
    status: Literal["open", "upheld", "overturned"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DisputeOut]:
    """Disputes the caller may see, oldest first."""
    found = disputes.get_all(db_session=db_session, principal=principal, status=status, limit=limit)
    return [DisputeOut.model_validate(d) for d in found]


@disputes_router.post("/{dispute_id}/decision", response_model=DisputeOut)
def decide_dispute(
    dispute_id: Id, body: DecisionIn, db_session: DbSession, principal: Auth
) -> DisputeOut:
    """The team lead or a QA manager upholds the judgement or overturns it (re-scoring)."""
    found = disputes.get_or_raise(db_session=db_session, dispute_id=dispute_id, principal=principal)
    decided = disputes.decide(
        db_session=db_session,
        dispute=found,
        principal=principal,
        decision=body.decision,
        comment=body.comment,
        earned=body.earned,
    )
    return DisputeOut.model_validate(decided)


agents_router = APIRouter(prefix="/api/v1/agents", tags=["qa"])


@agents_router.get("/{agent_id}/discipline", response_model=DisciplineOut)
def agent_discipline(
    agent_id: Annotated[str, Path(min_length=1, max_length=255)],
    db_session: DbSession,
    principal: Auth,
) -> DisciplineOut:
    """The agent's ladder with the evidence of each step (the agent, their team lead, managers)."""
    discipline.check_visible(db_session=db_session, agent_id=agent_id, principal=principal)
    found = discipline.records(db_session=db_session, agent_id=agent_id)
    return DisciplineOut(
        agent_id=agent_id,
        window_days=discipline.config().window_days,
        standing=discipline.standing(found, now=utcnow()),
        records=[RecordOut.model_validate(r) for r in found],
    )


notifications_router = APIRouter(prefix="/api/v1/notifications", tags=["qa"])


@notifications_router.get("", response_model=list[NotificationOut])
def my_notifications(
    db_session: DbSession,
    principal: Auth,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """The caller's notifications, newest first."""
    found = notify.mine(
        db_session=db_session, user_id=principal.user_id, unread=unread, limit=limit
    )
    return [NotificationOut.model_validate(n) for n in found]


@notifications_router.post("/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: Id, db_session: DbSession, principal: Auth) -> NotificationOut:
    """Marks one of the caller's notifications read."""
    note = db_session.get(Notification, notification_id)
    if note is None or note.user_id != principal.user_id:
        raise NotFound(f"notification {notification_id} does not exist")
    if note.read_at is None:
        note.read_at = utcnow()
        db_session.commit()
    return NotificationOut.model_validate(note)
