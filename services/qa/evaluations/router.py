"""Evaluations over HTTP: the list, release, acknowledgement, corrections (one evaluation with
its versions and disputes is composed in services/qa/disputes/router.py, which builds on both).
Each evaluation is authorised in its service (visible_to / get_or_raise)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth import Auth, Reviewers
from services.api.params import DbSession, Id
from services.config import get_settings
from services.people import names
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.schemas import (
    CorrectionIn,
    EvaluationOut,
)
from services.qa.evaluations.tables import Evaluation

router = APIRouter(prefix="/api/v1/evaluations", tags=["qa"])


def evaluation_out(row: Evaluation) -> EvaluationOut:
    """An evaluation as the API shows it, with its dispute deadline once released."""
    out = EvaluationOut.model_validate(row)
    out.dispute_deadline = evaluations.dispute_deadline(row, get_settings().dispute_window_days)
    return out


@router.get("", response_model=list[EvaluationOut])
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
    names.preload(
        db_session,
        user_ids={r.inspector_id for r in rows},
        agent_ids={r.agent_id for r in rows if r.agent_id},
    )
    return [evaluation_out(r) for r in rows]


@router.post("/{evaluation_id}/release", response_model=EvaluationOut)
def release_evaluation(
    evaluation_id: Id, db_session: DbSession, principal: Reviewers
) -> EvaluationOut:
    """Shows the evaluation to the agent."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    return evaluation_out(evaluations.release(db_session=db_session, row=row, principal=principal))


@router.post("/{evaluation_id}/acknowledge", response_model=EvaluationOut)
def acknowledge_evaluation(
    evaluation_id: Id, db_session: DbSession, principal: Auth
) -> EvaluationOut:
    """The agent accepts the evaluation (it can then no longer be disputed)."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    return evaluation_out(
        evaluations.acknowledge(db_session=db_session, row=row, principal=principal)
    )


@router.post("/{evaluation_id}/corrections", response_model=EvaluationOut, status_code=201)
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
    return evaluation_out(fresh)
