"""Changing a sampling plan: edited, paused and resumed, deleted (softly, once it has run)."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import unique, utcnow
from services.errors import InvalidInput
from services.i18n import _
from services.qa.sampling.schemas import PlanSpec
from services.qa.sampling.tables import SamplingPlan, SamplingRun


def update(
    *, db_session: Session, plan: SamplingPlan, changes: dict[str, Any], active: bool | None
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
    return plan


def delete(*, db_session: Session, plan: SamplingPlan) -> bool:
    """Deletes a plan; one with runs is kept, marked deleted and paused, so that its runs still
    say what they were. Returns whether it was kept."""
    if db_session.scalar(select(SamplingRun.id).where(SamplingRun.plan_id == plan.id).limit(1)):
        plan.deleted_at, plan.active = utcnow(), False
        db_session.flush()
        return True
    db_session.delete(plan)
    db_session.flush()
    return False
