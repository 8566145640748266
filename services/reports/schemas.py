"""Request bodies of the reports API."""

from datetime import date

from pydantic import BaseModel, Field


class CoachingIn(BaseModel):
    """A coaching to record: who was coached, for which rules (none: every rule), when."""

    coached_on: date = Field(description="the day of the coaching (the center's)")
    agent_ids: list[str] = Field(min_length=1, max_length=500)
    rule_ids: list[str] = Field(default_factory=list, max_length=50)
    note: str = Field(default="", max_length=2000)


class CoachingOut(BaseModel):
    """A recorded coaching."""

    id: int
    coached_on: date
    agent_ids: list[str]
    rule_ids: list[str]
    note: str
    created_by: str

    model_config = {"from_attributes": True}
