"""Disputes over HTTP: an agent disputes an evaluation item; a lead or manager decides. One
evaluation is shown here too, with its versions and disputes: disputes build on evaluations."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.api.auth import Auth
from services.api.params import DbSession, Id
from services.config import get_settings
from services.qa.disputes import service as disputes
from services.qa.disputes.schemas import DecisionIn, DisputeIn, DisputeOut, EvaluationDetailOut
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.router import evaluation_out
from services.qa.evaluations.schemas import VersionOut

router = APIRouter(prefix="/api/v1", tags=["qa"])


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationDetailOut)
def get_evaluation(
    evaluation_id: Id, db_session: DbSession, principal: Auth
) -> EvaluationDetailOut:
    """One version, with every version of the review and its disputes."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    history = evaluations.versions(
        db_session=db_session, review_id=row.review_id, principal=principal
    )
    found = disputes.get_all(db_session=db_session, principal=principal, review_id=row.review_id)
    return EvaluationDetailOut(
        **evaluation_out(row).model_dump(),
        versions=[VersionOut.model_validate(v) for v in history],
        disputes=[DisputeOut.model_validate(d) for d in found],
    )


@router.post("/evaluations/{evaluation_id}/disputes", response_model=DisputeOut, status_code=201)
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


@router.get("/disputes", response_model=list[DisputeOut])
def list_disputes(
    db_session: DbSession,
    principal: Auth,
    status: Literal["open", "upheld", "overturned", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DisputeOut]:
    """Disputes the caller may see, oldest first."""
    found = disputes.get_all(db_session=db_session, principal=principal, status=status, limit=limit)
    return [DisputeOut.model_validate(d) for d in found]


@router.post("/disputes/{dispute_id}/decision", response_model=DisputeOut)
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
