"""QA workflow in and out of the API: sampling plans and runs, rotation, reviews, evaluations,
disputes, the discipline ladder and notifications."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.calls.schemas import NO_CONTROL, CallSummary, ShortText, TurnOut, UtcDatetime
from services.scoring.schemas import ScoreOut

# Comments and reasons: free text with line breaks, but no NUL or other control characters.
Comment = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=NO_CONTROL)
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=NO_CONTROL)
]


class Strict(BaseModel):
    """Unknown fields are mistakes."""

    model_config = ConfigDict(extra="forbid")


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

    @model_validator(mode="after")
    def _cap(self) -> "PlanSpec":
        if self.per_agent_cap < max(self.per_agent, self.new_hire_per_agent):
            raise ValueError("per_agent_cap must be at least per_agent and new_hire_per_agent")
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
    reason: str


class RunOut(BaseModel):
    """What a run picked (or, for a dry run, would pick)."""

    id: int | None
    plan_id: int
    period_start: UtcDatetime
    period_end: UtcDatetime
    seed: int
    dry_run: bool
    picks: list[PickOut]


class RunIn(Strict):
    """A run on demand: the period containing ``at`` (default: the last complete period)."""

    at: datetime | None = None
    dry_run: bool = False


class RotationIn(Strict):
    """The period to plan."""

    start: datetime
    end: datetime


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


class ReviewOut(BaseModel):
    """A call waiting for (or done by) an inspector."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    call_id: int
    run_id: int | None
    inspector_id: int
    status: str
    priority: int
    reason: str
    assigned_at: UtcDatetime


class ReassignIn(Strict):
    """An absent inspector whose open reviews go to others."""

    username: ShortText


class HitVerdictIn(Strict):
    """An inspector's verdict on one machine hit."""

    hit_id: int = Field(ge=1, le=2**63 - 1)
    confirmed: bool
    comment: Comment = ""


class ItemScoreIn(Strict):
    """A person's score for one scorecard item: points earned, or not applicable."""

    item_id: ShortText
    earned: float | None = Field(None, ge=0, le=10_000)
    not_applicable: bool = False
    comment: Comment = ""

    @model_validator(mode="after")
    def _one(self) -> "ItemScoreIn":
        if self.not_applicable and self.earned is not None:
            raise ValueError("an item is either scored or not applicable, not both")
        return self


def _by_key(items: list[Any], key: str) -> dict[Any, dict[str, Any]]:
    keys = [getattr(i, key) for i in items]
    if len(keys) != len(set(keys)):
        raise ValueError(f"each {key} may appear once")
    return {getattr(i, key): i.model_dump(exclude={key}, exclude_defaults=True) for i in items}


class DraftIn(Strict):
    """Work on an open review; what is sent replaces what was saved for the same hit or item."""

    hits: list[HitVerdictIn] = Field(default_factory=list, max_length=2000)
    items: list[ItemScoreIn] = Field(default_factory=list, max_length=500)
    comment: Comment | None = None

    def verdicts(self) -> dict[int, dict[str, Any]]:
        """Verdicts by hit id."""
        return {h.hit_id: {"confirmed": h.confirmed, "comment": h.comment} for h in self.hits}

    def scores(self) -> dict[str, dict[str, Any]]:
        """Item scores by item id."""
        return _by_key(self.items, "item_id")

    @model_validator(mode="after")
    def _unique(self) -> "DraftIn":
        _by_key(self.hits, "hit_id")
        _by_key(self.items, "item_id")
        return self


class SubmitIn(Strict):
    """Submitting a review; ``release`` shows the evaluation to the agent at once."""

    release: bool = False


class ReviewDetailOut(BaseModel):
    """What an inspector reviews: the call, its turns, the machine score, and the evaluation
    as it would be submitted with the draft so far (with what is still missing)."""

    review: ReviewOut
    call: CallSummary
    turns: list[TurnOut]
    machine: ScoreOut
    items: list[dict[str, Any]]
    draft: dict[str, Any]
    missing: list[str]
    evaluation_id: int | None


class VersionOut(BaseModel):
    """One version of an evaluation, in its history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    why: str
    total: float
    percent: float | None
    created_by: str
    created_at: UtcDatetime
    released_at: UtcDatetime | None


class EvaluationOut(VersionOut):
    """An evaluation version: final score per item, total, auto-fail, and where it stands."""

    review_id: int
    call_id: int
    agent_id: str | None
    team: str | None
    inspector_id: int
    pack: str
    pack_version: str
    items: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    maximum: float
    auto_failed: bool
    comment: str
    released_by: str | None
    acknowledged_at: UtcDatetime | None
    superseded_by: int | None
    dispute_deadline: UtcDatetime | None = None


class DisputeOut(BaseModel):
    """A dispute and its decision."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    review_id: int
    evaluation_id: int
    item_id: str
    agent_id: str
    team: str | None
    reason: str
    status: str
    opened_by: str
    opened_at: UtcDatetime
    decided_by: str | None
    decided_at: UtcDatetime | None
    decision_comment: str | None
    result_evaluation_id: int | None


class EvaluationDetailOut(EvaluationOut):
    """An evaluation with its version history and disputes."""

    versions: list[VersionOut]
    disputes: list[DisputeOut]


class CorrectionIn(Strict):
    """A correction: items re-scored, and why."""

    items: list[ItemScoreIn] = Field(min_length=1, max_length=500)
    reason: Reason

    def scores(self) -> dict[str, dict[str, Any]]:
        """Item scores by item id."""
        return _by_key(self.items, "item_id")

    @model_validator(mode="after")
    def _unique(self) -> "CorrectionIn":
        _by_key(self.items, "item_id")
        return self


class DisputeIn(Strict):
    """An agent disputing one item."""

    item_id: ShortText
    reason: Reason


class DecisionIn(Strict):
    """Upheld: the judgement stands. Overturned: the item gets ``earned`` (default: full points)."""

    decision: Literal["upheld", "overturned"]
    comment: Reason
    earned: float | None = Field(None, ge=0, le=10_000)


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


class NotificationOut(BaseModel):
    """Something to know about."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject: dict[str, Any]
    message: str
    created_at: UtcDatetime
    read_at: UtcDatetime | None
