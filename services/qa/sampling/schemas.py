"""Sampling plans and runs in and out of the API."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.i18n import _, readable
from services.types import InputDatetime, ShortText, Strict, UtcDatetime

# Three days: a weekly plan's picks are reviewed well inside the week, while the agent still
# remembers the call and a coaching can follow before the next run.
REVIEW_WITHIN_DAYS = 3
MAX_REVIEW_DAYS = 90


class Filters(Strict):
    """Which calls a plan samples from."""

    queues: list[ShortText] = Field(default_factory=list, max_length=100)
    teams: list[ShortText] = Field(default_factory=list, max_length=100)
    direction: Literal["inbound", "outbound"] | None = None
    min_duration_s: float | None = Field(None, ge=0)
    max_duration_s: float | None = Field(None, gt=0)


class AlwaysInclude(Strict):
    """Risky calls picked before the random ones, up to ``cap`` per agent."""

    flagged: bool = True
    red_line: bool = True
    escalation: bool = True
    score_below: float | None = Field(None, ge=0, le=100)
    cap: int = Field(2, ge=0, le=100, description="Risk picks per agent per period, at most.")


class PlanSpec(Strict):
    """A sampling plan."""

    name: ShortText
    period: Literal["day", "week", "month"] = "week"
    per_agent: int = Field(3, ge=0, le=1000)
    new_hire_per_agent: int = Field(5, ge=0, le=1000)
    new_hire_months: int = Field(3, ge=0, le=60)
    per_agent_cap: int = Field(
        10, ge=1, le=1000, description="Picks per agent per period, at most."
    )
    filters: Filters = Field(default_factory=Filters)
    always: AlwaysInclude = Field(default_factory=AlwaysInclude)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    review_within_days: int | None = Field(
        REVIEW_WITHIN_DAYS,
        ge=0,
        le=MAX_REVIEW_DAYS,
        description="A review the run makes is due by the end of the center's day this many "
        "days after the run (0: the same day); null: no due date.",
    )

    @model_validator(mode="after")
    def _cap(self) -> "PlanSpec":
        if self.per_agent_cap < max(self.per_agent, self.new_hire_per_agent):
            raise ValueError(_("per_agent_cap must be at least per_agent and new_hire_per_agent"))
        return self


class PlanOut(BaseModel):
    """A stored plan."""

    id: int
    active: bool
    spec: PlanSpec


class PickOut(BaseModel):
    """A call picked for review."""

    call_id: int
    agent_id: str
    kind: Literal["risk", "random"]
    reason: str = Field(description="Why it was picked, in the request's language.")

    @field_validator("reason", mode="before")
    @classmethod
    def _readable_reason(cls, reason: object) -> str:
        return readable(reason)


class RunOut(BaseModel):
    """What a run picked (or, for a dry run, would pick)."""

    id: int | None
    plan_id: int
    period_start: UtcDatetime
    period_end: UtcDatetime
    seed: int
    dry_run: bool
    complete: bool = Field(True, description="False while the period is still going on.")
    reviews_due_at: UtcDatetime | None = Field(
        None,
        description="When the reviews this run makes are due (a dry run: if it ran now); "
        "null: the plan sets no due date.",
    )
    picks: list[PickOut]


class RunIn(Strict):
    """A run on demand: the period containing ``at`` (``"now"``: the current period, so far),
    by default the last complete period; periods are cut in the center's time zone."""

    at: InputDatetime | Literal["now"] | None = None
    dry_run: bool = False


class RunSummaryOut(BaseModel):
    """A stored run of a plan, without its picks."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_id: int
    period_start: UtcDatetime
    period_end: UtcDatetime
    seed: int
    created_by: str
    created_at: UtcDatetime
    picked: int
    reviews_due_at: UtcDatetime | None = Field(
        None, description="When the reviews this run makes are due; null: no due date."
    )


class PlanPatchIn(Strict):
    """What changes in a plan: any of its fields, and ``active`` (false pauses it: the schedule
    skips it; true resumes it)."""

    name: ShortText | None = None
    period: Literal["day", "week", "month"] | None = None
    per_agent: int | None = Field(None, ge=0, le=1000)
    new_hire_per_agent: int | None = Field(None, ge=0, le=1000)
    new_hire_months: int | None = Field(None, ge=0, le=60)
    per_agent_cap: int | None = Field(None, ge=1, le=1000)
    filters: Filters | None = None
    always: AlwaysInclude | None = None
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    review_within_days: int | None = Field(
        None, ge=0, le=MAX_REVIEW_DAYS, description="null: the plan's reviews have no due date."
    )
    active: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The plan's fields sent, as they are stored (a null ``review_within_days`` is sent
        to remove the due date; other nulls change nothing)."""
        return {
            k: v
            for k, v in self.model_dump(mode="json", exclude_unset=True).items()
            if k != "active" and (v is not None or k in NULLABLE)
        }


NULLABLE = {"review_within_days"}
