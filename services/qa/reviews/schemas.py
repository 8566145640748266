"""Reviews in and out of the API: the queue, drafts and submission."""

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_serializer,
    field_validator,
    model_validator,
)

from services.calls.schemas import CallSummary, TurnOut
from services.db import utcnow
from services.i18n import readable
from services.qa.evaluations.schemas import ItemScoreIn, by_key
from services.qa.sampling.due import is_overdue
from services.scoring.maximum import explain_maximum
from services.scoring.schemas import ScoreOut, readable_hit, readable_items
from services.types import MAX_ID, Comment, Reason, ShortText, Strict, UtcDatetime


class ReviewOut(BaseModel):
    """A call waiting for (or done by) an inspector."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    call_id: int
    run_id: int | None
    inspector_id: int
    inspector_name: str | None = None
    status: str
    priority: int
    reason: str = Field(description="Why the call is reviewed, in the request's language.")
    assigned_at: UtcDatetime
    due_at: UtcDatetime | None = Field(
        None, description="End of the center's day it is due by; null: no due date."
    )

    @field_validator("reason", mode="before")
    @classmethod
    def _readable_reason(cls, reason: object) -> str:
        return readable(reason)

    @computed_field(description="Open and past its due date.")  # type: ignore[prop-decorator]
    @property
    def overdue(self) -> bool:
        """Whether the review is open past its due date."""
        return is_overdue(self.due_at, self.status, utcnow())


class AssignedOut(ReviewOut):
    """A review as assignment placed it: its call's area, and why it fell back to the
    least-loaded inspector (null: an inspector watching the area took it)."""

    area: str | None
    fallback: str | None


class RunReassignIn(Strict):
    """Which of a run's reviews to assign again (default: every unstarted one), and to whom
    (default: by the inspectors' current areas, as the run was assigned)."""

    review_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=5000)
    username: ShortText | None = None


class ReassignIn(Strict):
    """An absent inspector whose open reviews go to others."""

    username: ShortText


class ReEvaluateIn(Strict):
    """A second review of an evaluated call: why, and by whom (default: its inspector)."""

    reason: Reason
    inspector: ShortText | None = Field(None, description="An inspector's username.")


class HitVerdictIn(Strict):
    """An inspector's verdict on one machine hit."""

    hit_id: int = Field(ge=1, le=2**63 - 1)
    confirmed: bool
    comment: Comment = ""


class TurnCommentIn(Strict):
    """An inspector's comment on one turn of the transcript (empty: remove it)."""

    turn_id: int = Field(ge=1, le=2**63 - 1)
    comment: Comment = ""


class DraftIn(Strict):
    """Work on an open review; what is sent replaces what was saved for the same hit or item."""

    hits: list[HitVerdictIn] = Field(default_factory=list, max_length=2000)
    items: list[ItemScoreIn] = Field(default_factory=list, max_length=500)
    comment: Comment | None = None
    turns: list[TurnCommentIn] = Field(default_factory=list, max_length=2000)

    def turn_comments(self) -> dict[int, str]:
        """Comments by turn id."""
        return {t.turn_id: t.comment for t in self.turns}

    def verdicts(self) -> dict[int, dict[str, Any]]:
        """Verdicts by hit id."""
        return {h.hit_id: {"confirmed": h.confirmed, "comment": h.comment} for h in self.hits}

    def scores(self) -> dict[str, dict[str, Any]]:
        """Item scores by item id."""
        return by_key(self.items, "item_id")

    @model_validator(mode="after")
    def _unique(self) -> "DraftIn":
        by_key(self.hits, "hit_id")
        by_key(self.items, "item_id")
        by_key(self.turns, "turn_id")
        return self


class SubmitIn(Strict):
    """Submitting a review; ``release`` shows the evaluation to the agent at once (a
    re-evaluation of a released evaluation is released anyway)."""

    release: bool = False


class ReviewDetailOut(BaseModel):
    """What an inspector reviews: the call, its turns, the machine score, and the evaluation
    as it would be submitted with the draft so far (with what is still missing)."""

    review: ReviewOut
    call: CallSummary
    turns: list[TurnOut]
    machine: ScoreOut
    items: list[dict[str, Any]]
    flags: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Hits of rules no item scores (escalation, anger …): judged like the "
        "others (``confirmed`` null until then), optional, they count for the rule's precision.",
    )
    draft: dict[str, Any]
    missing: list[str]
    evaluation_id: int | None

    @field_serializer("items")
    def _readable_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return readable_items(items)

    @field_serializer("flags")
    def _readable_flags(self, flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [readable_hit(hit) for hit in flags]

    @computed_field(description="Why the evaluation so far is out of what it is.")  # type: ignore[prop-decorator]
    @property
    def max_points(self) -> dict[str, Any]:
        """The maximum of ``items``, explained."""
        return explain_maximum(self.items)
