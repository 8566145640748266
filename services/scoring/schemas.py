"""What the scoring API returns."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from services.calls.schemas import CallDetail
from services.i18n import current_language, localised, readable, render, translate
from services.scoring.maximum import explain_maximum


class HitOut(BaseModel):
    """A rule hit with its evidence, in the request's language."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: str
    rule_name: str = Field(description="The rule's name in the pack, in the request's language.")
    category: str
    severity: str
    role: str | None
    start: float
    end: float
    turn_ids: list[int]
    text: str = Field(description="What was said there, or what the evidence shows (a measure, "
                      "or what was missing and where it was expected).")  # fmt: skip

    @model_validator(mode="before")
    @classmethod
    def _readable(cls, hit: Any) -> Any:
        return readable_hit(hit if isinstance(hit, dict) else _columns(hit))


def _columns(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name, None) for name in (*HitOut.model_fields, "message")}


def readable_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """A hit as stored (a row's columns, or a hit kept in an evaluation) with its rule's name
    and its evidence text in the request's language."""
    out = dict(hit)
    names = out.get("rule_name")
    if isinstance(names, dict) or names is None:
        out["rule_name"] = localised(names) if names else out.get("rule_id", "")
    if out.get("message"):
        out["text"] = render(out["message"])
    return out


class RuleStatusOut(BaseModel):
    """How one rule came out on a call; ``reason`` says why it could not be measured."""

    model_config = ConfigDict(from_attributes=True)

    rule_id: str
    category: str
    severity: str
    status: Literal["hit", "pass", "not_measurable"]
    reason: str | None = Field(description="Why not measurable, in the request's language.")

    @field_validator("reason")
    @classmethod
    def _readable(cls, reason: str | None) -> str | None:
        return readable_reason(reason)


def readable_reason(reason: str | None) -> str | None:
    """Why a rule could not be measured (its English reasons, joined), in the current language."""
    if not reason:
        return reason
    language = current_language()
    parts = [translate(part, language) for part in dict.fromkeys(reason.split("; "))]
    return ("；" if language == "zh_CN" else "; ").join(parts)


class ScoreOut(BaseModel):
    """A call's machine score under one pack version."""

    model_config = ConfigDict(from_attributes=True)

    pack: str
    pack_version: str
    total: float
    maximum: float
    percent: float | None
    auto_failed: bool
    flagged: bool
    reasons: list[str] = Field(description="Why the call is flagged, in the request's language.")
    sections: list[dict[str, Any]]
    items: list[dict[str, Any]]

    @field_validator("reasons", mode="before")
    @classmethod
    def _readable_reasons(cls, reasons: list[Any]) -> list[str]:
        # Messages since scores kept them so; plain text in scores made before, shown as is.
        return [readable(reason) for reason in reasons or []]

    @computed_field(  # type: ignore[prop-decorator]
        description="Why the score is out of ``maximum``: the items counted "
        "(machine-scored; manual items wait for a person) and those left out."
    )
    @property
    def max_points(self) -> dict[str, Any]:
        """The maximum explained."""
        return explain_maximum(self.items)


class RuleOut(BaseModel):
    """A rule as listed by the API."""

    id: str
    name: str = Field(description="In the request's language where the pack has it.")
    names: dict[str, str] = Field(description="The name in each language the pack gives.")
    category: str
    severity: str
    flag: bool
    about: str
    description: str


class PackOut(BaseModel):
    """A loaded rule pack."""

    pack: str
    name: str
    language: str
    version: str
    rules: list[RuleOut]
    scorecard: dict[str, Any] | None


class ValidationOut(BaseModel):
    """The verdict on a pack sent for validation."""

    valid: bool
    errors: list[str]
    pack: str | None = None
    version: str | None = None
    tests_run: int = 0
    test_failures: list[str] = Field(default_factory=list)


def readable_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scorecard items with their hits readable in the request's language."""
    return [{**item, "hits": [readable_hit(h) for h in item.get("hits", [])]} for item in items]


class CallOut(CallDetail):
    """A call with its transcript."""

    # The docstring is the API's description of CallOut, kept as it was; this class adds the
    # latest machine score to calls' CallDetail.

    metrics: dict[str, Any] | None = Field(None, description="Conversation metrics, once scored.")
    score: ScoreOut | None = Field(None, description="The latest machine score.")
    hits: list[HitOut] = Field(default_factory=list, description="Hits behind the latest score.")
    rules: list[RuleStatusOut] = Field(
        default_factory=list, description="Each rule's status, including what was not measurable."
    )
