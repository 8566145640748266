"""Calibration sessions in and out of the API."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.calls.schemas import TurnOut
from services.qa.evaluations.schemas import ItemScoreIn, by_key
from services.qa.reviews.schemas import DraftIn, HitVerdictIn
from services.types import (
    MAX_ID,
    Comment,
    InputAwareDatetime,
    ShortText,
    Strict,
    UtcDatetime,
)


class DrawIn(Strict):
    """Calls drawn at random from the reviews of the last ``days`` days."""

    days: int = Field(30, ge=1, le=366)
    count: int = Field(4, ge=3, le=5)
    seed: int = Field(0, ge=0, le=2**31)


class SessionIn(Strict):
    """A new session: 3–5 calls (by hand or drawn), the inspectors, the expert (none: consensus),
    the deadline with its time zone, and optionally the team and the tolerance."""

    title: ShortText
    calls: list[int] | None = Field(None, min_length=3, max_length=5)
    draw: DrawIn | None = None
    inspectors: list[ShortText] = Field(min_length=2, max_length=50)
    expert: ShortText | None = None
    deadline: InputAwareDatetime
    team: ShortText | None = None
    tolerance: float | None = Field(None, gt=0, le=1, description="share of the maximum")

    @model_validator(mode="after")
    def _calls_or_draw(self) -> "SessionIn":
        if (self.calls is None) == (self.draw is None):
            raise ValueError("give either calls or draw")
        if self.calls and not all(1 <= c <= MAX_ID for c in self.calls):
            raise ValueError("call ids are positive integers")
        return self


class ParticipantOut(BaseModel):
    """Someone who scores the session, and whether they have submitted."""

    model_config = ConfigDict(from_attributes=True)

    username: str
    submitted_at: UtcDatetime | None


class SessionOut(BaseModel):
    """A calibration session and where it stands."""

    id: int
    title: str
    pack: str
    pack_version: str
    mode: str
    expert: str | None
    team: str | None
    tolerance: float
    deadline: UtcDatetime
    created_by: str
    created_at: UtcDatetime
    revealed: bool
    revealed_at: UtcDatetime | None
    calls: int
    participants: list[ParticipantOut]


class CallFormOut(BaseModel):
    """A call as participants score it: the form and the transcript, no agent or team.
    Managers also see which call it is."""

    position: int
    call_id: int | None
    items: list[dict[str, Any]]
    turns: list[TurnOut]


class AnswerOut(BaseModel):
    """One participant's answer for one call: the scored form, total and what is missing."""

    username: str
    position: int
    items: list[dict[str, Any]]
    total: float
    maximum: float
    missing: list[str]
    comment: str
    updated_at: UtcDatetime


AnswerIn = DraftIn


class AgreedIn(Strict):
    """The facilitator's agreed answer for one call, complete, with notes."""

    hits: list[HitVerdictIn] = Field(default_factory=list, max_length=2000)
    items: list[ItemScoreIn] = Field(default_factory=list, max_length=500)
    notes: Comment = ""

    def verdicts(self) -> dict[int, dict[str, Any]]:
        """Verdicts by hit id."""
        return {h.hit_id: {"confirmed": h.confirmed, "comment": h.comment} for h in self.hits}

    def scores(self) -> dict[str, dict[str, Any]]:
        """Item scores by item id."""
        return by_key(self.items, "item_id")

    @model_validator(mode="after")
    def _unique(self) -> "AgreedIn":
        by_key(self.hits, "hit_id")
        by_key(self.items, "item_id")
        return self


class ToleranceIn(Strict):
    """A pack's tolerance: a share of the scorecard's maximum (0.10 is ±10 %)."""

    tolerance: float = Field(gt=0, le=1)


class SecondReviewIn(Strict):
    """The share of a flagged inspector's reviews that get a second reviewer (0 withdraws)."""

    share: float = Field(ge=0, le=1)
    note: Comment = ""
