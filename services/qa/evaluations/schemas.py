"""Evaluations in and out of the API: versions, item scores, corrections."""

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_serializer,
    field_validator,
    model_validator,
)

from services.i18n import _, readable
from services.scoring.maximum import explain_maximum
from services.scoring.schemas import readable_items
from services.types import Comment, Reason, ShortText, Strict, UtcDatetime


class ItemScoreIn(Strict):
    """A person's score for one scorecard item: points earned, or not applicable."""

    item_id: ShortText
    earned: float | None = Field(None, ge=0, le=10_000)
    not_applicable: bool = False
    comment: Comment = ""

    @model_validator(mode="after")
    def _one(self) -> "ItemScoreIn":
        if self.not_applicable and self.earned is not None:
            raise ValueError(_("an item is either scored or not applicable, not both"))
        return self


def by_key(items: list[Any], key: str) -> dict[Any, dict[str, Any]]:
    """The items' fields by their ``key``; an error if a key appears twice."""
    keys = [getattr(i, key) for i in items]
    if len(keys) != len(set(keys)):
        raise ValueError(_("each {key} may appear once", key=key))
    return {getattr(i, key): i.model_dump(exclude={key}, exclude_defaults=True) for i in items}


class VersionOut(BaseModel):
    """One version of an evaluation, in its history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    why: str = Field(description="What made this version, in the request's language.")
    total: float
    percent: float | None
    created_by: str
    created_at: UtcDatetime
    released_at: UtcDatetime | None

    @field_validator("why", mode="before")
    @classmethod
    def _readable_why(cls, why: object) -> str:
        return readable(why)


class EvaluationOut(VersionOut):
    """An evaluation version: final score per item, total, auto-fail, and where it stands."""

    review_id: int
    call_id: int
    agent_id: str | None
    agent_name: str | None = None
    team: str | None
    inspector_id: int
    inspector_name: str | None = None
    pack: str
    pack_version: str
    items: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    maximum: float
    auto_failed: bool
    comment: str
    turn_comments: list[dict[str, Any]] | None = Field(
        None, description="Comments on single turns: turn_id, start, end, role, comment."
    )
    released_by: str | None
    acknowledged_at: UtcDatetime | None
    superseded_by: int | None
    dispute_deadline: UtcDatetime | None = None

    @field_serializer("items")
    def _readable(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return readable_items(items)

    @computed_field(description="Why the evaluation is out of ``maximum``.")  # type: ignore[prop-decorator]
    @property
    def max_points(self) -> dict[str, Any]:
        """The maximum explained: items machine-scored, scored by a person, left out."""
        return explain_maximum(self.items)


class CorrectionIn(Strict):
    """A correction: items re-scored, and why."""

    items: list[ItemScoreIn] = Field(min_length=1, max_length=500)
    reason: Reason

    def scores(self) -> dict[str, dict[str, Any]]:
        """Item scores by item id."""
        return by_key(self.items, "item_id")

    @model_validator(mode="after")
    def _unique(self) -> "CorrectionIn":
        by_key(self.items, "item_id")
        return self
