"""An agent's discipline ladder over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Path

from services.api.auth import Auth
from services.api.params import DbSession
from services.db import utcnow
from services.qa.discipline import service as discipline
from services.qa.discipline.schemas import DisciplineOut, RecordOut

router = APIRouter(prefix="/api/v1/agents", tags=["qa"])


@router.get("/{agent_id}/discipline", response_model=DisciplineOut)
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
