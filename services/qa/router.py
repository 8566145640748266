"""Sampling plans and runs (QA managers)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select

from services.api.auth import Managers, require
from services.calls.schemas import MAX_ID
from services.db import DbSession
from services.errors import NotFound
from services.people import service as people_service
from services.people.service import Principal
from services.people.tables import Area, Role, User
from services.qa import assignment, rotation_service
from services.qa import service as qa_service
from services.qa.sampling import Pick
from services.qa.schemas import (
    AssignmentOut,
    PeriodOut,
    PickOut,
    PlanOut,
    PlanSpec,
    ReassignIn,
    ReviewOut,
    RotationIn,
    RunIn,
    RunOut,
)
from services.qa.tables import RotationPeriod, SamplingPlan, SamplingRun

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
