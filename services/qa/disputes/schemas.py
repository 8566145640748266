"""Disputes in and out of the API."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.i18n import readable
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
    decision_comment: str | None = Field(
        description="The decider's comment; one zhijian wrote is in the request's language."
    )
    result_evaluation_id: int | None

    @field_validator("decision_comment", mode="before")
    @classmethod
    def _readable_comment(cls, comment: object) -> str | None:
        return None if comment is None else readable(comment)


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
