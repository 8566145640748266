"""Sampling plans and runs over HTTP."""

from fastapi import APIRouter, Response

from services.api.auth import Managers
from services.api.params import DbSession, Id
from services.db import aware, utcnow
from services.qa.sampling import plans
from services.qa.sampling import service as sampling_service
from services.qa.sampling.due import due_at, reviews_due
from services.qa.sampling.picks import Pick
from services.qa.sampling.schemas import (
    PickOut,
    PlanOut,
    PlanPatchIn,
    PlanSpec,
    RunIn,
    RunOut,
    RunSummaryOut,
)
from services.qa.sampling.tables import SamplingPlan

router = APIRouter(prefix="/api/v1/sampling", tags=["qa"])


def _picks_out(picks: list[Pick]) -> list[PickOut]:
    return [
        PickOut(call_id=p.call_id, agent_id=p.agent_id, kind=p.kind, reason=p.reason) for p in picks
    ]


def _plan_out(plan: SamplingPlan) -> PlanOut:
    return PlanOut(id=plan.id, active=plan.active, spec=PlanSpec.model_validate(plan.spec))


@router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(spec: PlanSpec, db_session: DbSession, _principal: Managers) -> PlanOut:
    """Creates a sampling plan."""
    return _plan_out(sampling_service.create_plan(db_session=db_session, spec=spec))


@router.get("/plans", response_model=list[PlanOut])
def list_plans(db_session: DbSession, _principal: Managers) -> list[PlanOut]:
    """Every sampling plan."""
    return [_plan_out(p) for p in sampling_service.get_plans(db_session=db_session)]


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(plan_id: Id, db_session: DbSession, _principal: Managers) -> PlanOut:
    """One sampling plan."""
    return _plan_out(sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id))


@router.patch("/plans/{plan_id}", response_model=PlanOut)
def update_plan(
    plan_id: Id, body: PlanPatchIn, db_session: DbSession, principal: Managers
) -> PlanOut:
    """Edits a plan (the fields sent), pauses it (``active: false``) or resumes it."""
    plan = sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    updated = plans.update(
        db_session=db_session,
        plan=plan,
        changes=body.changes(),
        active=body.active,
        by=principal.username,
    )
    return _plan_out(updated)


@router.delete("/plans/{plan_id}", status_code=204)
def delete_plan(plan_id: Id, db_session: DbSession, principal: Managers) -> Response:
    """Deletes a plan; one that has run is kept, hidden and paused, so its runs stay readable."""
    plan = sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    plans.delete(db_session=db_session, plan=plan, by=principal.username)
    return Response(status_code=204)


@router.get("/plans/{plan_id}/runs", response_model=list[RunSummaryOut])
def list_runs(plan_id: Id, db_session: DbSession, _principal: Managers) -> list[RunSummaryOut]:
    """The plan's stored runs (on demand and scheduled), newest period first."""
    plan = sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    return [
        RunSummaryOut(
            id=r.id,
            plan_id=r.plan_id,
            period_start=r.period_start,
            period_end=r.period_end,
            seed=r.seed,
            created_by=r.created_by,
            created_at=r.created_at,
            picked=picked,
            reviews_due_at=reviews_due(r),
        )
        for r, picked in sampling_service.runs_of(db_session=db_session, plan=plan)
    ]


@router.post("/plans/{plan_id}/runs", response_model=RunOut)
def run_plan(plan_id: Id, body: RunIn, db_session: DbSession, principal: Managers) -> RunOut:
    """Samples a period now: the one containing ``at`` (``"now"``: the current one, so far),
    else the last complete one; ``dry_run`` shows what would be picked without storing it."""
    plan = sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    stored, start, end, picks = sampling_service.run(
        db_session=db_session,
        plan=plan,
        at=utcnow() if body.at == "now" else body.at,
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
        complete=aware(end) <= utcnow(),
        reviews_due_at=reviews_due(stored)
        if stored
        else due_at(utcnow(), PlanSpec.model_validate(plan.spec).review_within_days),
        picks=_picks_out(picks),
    )


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: Id, db_session: DbSession, _principal: Managers) -> RunOut:
    """A stored run and its picks, with why each call was picked."""
    stored = sampling_service.get_run_or_raise(db_session=db_session, run_id=run_id)
    picks = sampling_service.stored_picks(db_session=db_session, run=stored)
    return RunOut(
        id=stored.id,
        plan_id=stored.plan_id,
        period_start=stored.period_start,
        period_end=stored.period_end,
        seed=stored.seed,
        dry_run=False,
        complete=aware(stored.period_end) <= utcnow(),
        reviews_due_at=reviews_due(stored),
        picks=_picks_out(picks),
    )
