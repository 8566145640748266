"""Changing a sampling plan: edited, paused and resumed, deleted (softly, once it has run)."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.db import unique, utcnow
from services.errors import InvalidInput
from services.i18n import _
from services.qa.sampling.schemas import PlanSpec
from services.qa.sampling.tables import SamplingPlan, SamplingRun


def update(
    *,
    db_session: Session,
    plan: SamplingPlan,
    changes: dict[str, Any],
    active: bool | None,
    by: str,
) -> SamplingPlan:
    """Applies ``changes`` to the plan's spec (validated as a whole) and pauses or resumes it.
    Runs already stored keep the spec they ran with."""
    if changes:
        try:
            spec = PlanSpec.model_validate({**plan.spec, **changes})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg']}" for e in exc.errors()
            )
            raise InvalidInput(problems) from None
        with unique(db_session, _("a plan named {name} exists", name=repr(spec.name))):
            plan.name, plan.spec = spec.name, spec.model_dump(mode="json")
    if active is not None:
        plan.active = active
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=by,
        action="sampling_plan.updated",
        detail={"plan_id": plan.id, "changes": changes, "active": active},
    )
    return plan


def delete(*, db_session: Session, plan: SamplingPlan, by: str) -> bool:
    """Deletes a plan; one with runs is kept, marked deleted and paused, so that its runs still
    say what they were. Returns whether it was kept."""
    kept = bool(
        db_session.scalar(select(SamplingRun.id).where(SamplingRun.plan_id == plan.id).limit(1))
    )
    audit_service.record(
        db_session=db_session,
        username=by,
        action="sampling_plan.deleted",
        detail={"plan_id": plan.id, "name": plan.name, "kept": kept},
    )
    if kept:
        plan.deleted_at, plan.active = utcnow(), False
    else:
        db_session.delete(plan)
    db_session.flush()
    return kept
