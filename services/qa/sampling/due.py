"""When a review is due: the end of the day, on the center's clock, a number of days after the
run that picked the call, as the plan says (``review_within_days``; none: no due date)."""

from datetime import datetime, time, timedelta

from services.db import center_zone
from services.qa.sampling.schemas import PlanSpec
from services.qa.sampling.tables import SamplingRun

# The last second of the center's day: shown as "23:59" of the due day, never as midnight of
# the day after, which people read as a day later than meant.
END_OF_DAY = time(23, 59, 59)


def due_at(run_at: datetime, within_days: int | None) -> datetime | None:
    """The end of the center's day ``within_days`` after the day of ``run_at`` (0: that same
    day); None without a limit. The day is the center's: a run at 23:30 in Shanghai (15:30
    UTC) counts from that Shanghai day, not from the next one."""
    if within_days is None:
        return None
    zone = center_zone()
    day = run_at.astimezone(zone).date() + timedelta(days=within_days)
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)


def is_overdue(due: datetime | None, status: str, now: datetime) -> bool:
    """Whether an open review is past its due date (a submitted one never is)."""
    return status == "open" and due is not None and due < now


def reviews_due(run: SamplingRun) -> datetime | None:
    """When the reviews ``run`` makes are due, by the plan as it was when it ran."""
    return due_at(run.created_at, PlanSpec.model_validate(run.spec).review_within_days)
