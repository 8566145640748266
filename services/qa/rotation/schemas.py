"""Monitor rotation in and out of the API."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from services.types import Strict, UtcDatetime


class RotationIn(Strict):
    """The period to plan, on the center's clock (``ZHIJIAN_CENTER_TIMEZONE``)."""

    start: datetime | date = Field(
        description="A day (its midnight in the center's time zone) or a time; a time without "
        "a zone is the center's."
    )
    end: datetime | date | None = Field(
        None, description="Same forms as start; default: one week (seven center days) later."
    )


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
