"""Sampling plans and runs over HTTP."""

from fastapi import APIRouter

from services.api.auth import Managers
from services.api.params import DbSession, Id
from services.qa.sampling import service as sampling_service
from services.qa.sampling.picks import Pick
from services.qa.sampling.schemas import PickOut, PlanOut, PlanSpec, RunIn, RunOut
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


@router.post("/plans/{plan_id}/runs", response_model=RunOut)
def run_plan(plan_id: Id, body: RunIn, db_session: DbSession, principal: Managers) -> RunOut:
    """Samples a period now; ``dry_run`` shows what would be picked without storing it."""
    plan = sampling_service.get_plan_or_raise(db_session=db_session, plan_id=plan_id)
    stored, start, end, picks = sampling_service.run(
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
    stored = sampling_service.get_run_or_raise(db_session=db_session, run_id=run_id)
    picks = sampling_service.stored_picks(db_session=db_session, run=stored)
    return RunOut(
        id=stored.id,
        plan_id=stored.plan_id,
        period_start=stored.period_start,
        period_end=stored.period_end,
        seed=stored.seed,
        dry_run=False,
        picks=_picks_out(picks),
    )
