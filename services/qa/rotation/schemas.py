"""Monitor rotation in and out of the API."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from services.types import Strict, UtcDatetime, sane_day


def _plausible(value: datetime | date | None) -> datetime | date | None:
    # Far from now a period means nothing, and the calendar's ends overflow when zones shift:
    # the same sane years as every other time sent to the API (a datetime is a date, too).
    return None if value is None else sane_day(value)


Moment = Annotated[datetime | date, AfterValidator(_plausible)]


class RotationIn(Strict):
    """The period to plan, on the center's clock (``ZHIJIAN_CENTER_TIMEZONE``)."""

    start: Moment = Field(
        description="A day (its midnight in the center's time zone) or a time; a time without "
        "a zone is the center's."
    )
    end: Moment | None = Field(
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
    applied_at: UtcDatetime | None  # when the inspectors' areas became this plan's
    assignments: list[AssignmentOut]
