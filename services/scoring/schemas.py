"""What the scoring API returns."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class HitOut(BaseModel):
    """A rule hit with its evidence."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: str
    category: str
    severity: str
    role: str | None
    start: float
    end: float
    turn_ids: list[int]
    text: str


class RuleStatusOut(BaseModel):
    """How one rule came out on a call; ``reason`` says why it could not be measured."""

    model_config = ConfigDict(from_attributes=True)

    rule_id: str
    category: str
    severity: str
    status: Literal["hit", "pass", "not_measurable"]
    reason: str | None


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
    reasons: list[str]
    sections: list[dict[str, Any]]
    items: list[dict[str, Any]]


class RuleOut(BaseModel):
    """A rule as listed by the API."""

    id: str
    name: str
    category: str
    severity: str
    flag: bool
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
