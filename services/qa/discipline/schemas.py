"""An agent's discipline ladder out of the API."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.types import UtcDatetime


class RecordOut(BaseModel):
    """A violation on the ladder, with its evidence."""

    model_config = ConfigDict(from_attributes=True)

    evaluation_id: int
    call_id: int
    item_id: str
    rule_id: str | None
    category: str
    ladder: str
    counted_as: str
    occurred_at: UtcDatetime
    prior: int
    critical: bool
    tier: str
    points: float
    amount: float
    evidence: dict[str, Any]


class DisciplineOut(BaseModel):
    """An agent's ladder: the tier each counted rule or category stands at, and the history."""

    agent_id: str
    window_days: int
    standing: dict[str, str]
    records: list[RecordOut]
