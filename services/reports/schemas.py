"""Request bodies of the reports API."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from services.types import NO_CONTROL, Comment, InputDate, Strict

# An agent's or a rule's id; blanks are dropped when the coaching is recorded.
Named = Annotated[str, StringConstraints(max_length=255, pattern=NO_CONTROL)]


class CoachingIn(Strict):
    """A coaching to record: who was coached, for which rules (none: every rule), when."""

    coached_on: InputDate = Field(description="the day of the coaching (the center's)")
    agent_ids: list[Named] = Field(min_length=1, max_length=500)
    rule_ids: list[Named] = Field(default_factory=list, max_length=50)
    note: Comment = Field(default="", max_length=2000)


class CoachingOut(BaseModel):
    """A recorded coaching."""

    id: int
    coached_on: date
    agent_ids: list[str]
    rule_ids: list[str]
    note: str
    created_by: str

    model_config = {"from_attributes": True}
