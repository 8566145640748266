"""Monitor rotation in and out of the API."""

from pydantic import BaseModel

from services.types import InputDatetime, Strict, UtcDatetime


class RotationIn(Strict):
    """The period to plan."""

    start: InputDatetime
    end: InputDatetime


class AssignmentOut(BaseModel):
    """Who watches an area in a period."""

    area_id: int
    area: str
    user_id: int
    username: str
    workload: float


class PeriodOut(BaseModel):
    """A rotation period and its assignments."""

    id: int
    start: UtcDatetime
    end: UtcDatetime
    assignments: list[AssignmentOut]
