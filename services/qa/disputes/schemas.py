"""Disputes in and out of the API."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.qa.evaluations.schemas import EvaluationOut, VersionOut
from services.types import Reason, ShortText, Strict, UtcDatetime


class DisputeOut(BaseModel):
    """A dispute and its decision."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    review_id: int
    evaluation_id: int
    item_id: str
    agent_id: str
    agent_name: str | None = None
    team: str | None
    reason: str
    status: str
    opened_by: str
    opened_at: UtcDatetime
    decided_by: str | None
    decided_at: UtcDatetime | None
    decision_comment: str | None
    result_evaluation_id: int | None


class DisputeIn(Strict):
    """An agent disputing one item."""

    item_id: ShortText
    reason: Reason


class DecisionIn(Strict):
    """Upheld: the judgement stands. Overturned: the item gets ``earned`` (default: full points)."""

    decision: Literal["upheld", "overturned"]
    comment: Reason
    earned: float | None = Field(None, ge=0, le=10_000)


class EvaluationDetailOut(EvaluationOut):
    """An evaluation with its version history and disputes."""

    versions: list[VersionOut]
    disputes: list[DisputeOut]
