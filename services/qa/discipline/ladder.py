"""The discipline ladder (口头提醒 → 口头警告 → 经济扣分 → 严重): configuration and placement.

A confirmed violation's tier follows how many earlier confirmed violations the agent has of the
same rule or category (as the matching ladder counts) in a rolling window; a critical (red-line)
violation starts at least at ``critical_start``. Placement is a pure function of the violations,
so the ladder's state can always be rebuilt from the evaluations.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.scoring.rules.spec import Category

TIERS = ("reminder", "warning", "deduction", "severe")
Tier = Literal["reminder", "warning", "deduction", "severe"]
MAX_LADDER_BYTES = 64 * 1024


class LadderError(ValueError):
    """A ladder file that cannot be used; the message names the file and the field."""


class Strict(BaseModel):
    """Unknown fields are mistakes."""

    model_config = ConfigDict(extra="forbid")


class Step(Strict):
    """What the n-th violation in the window gets."""

    tier: Tier
    points: float = Field(0, ge=0, description="Points deducted from the agent's QA result.")
    amount: float = Field(0, ge=0, description="Money deducted (经济扣分).")


class Ladder(Strict):
    """Steps for the violations of some rules or categories (none named: every other one)."""

    id: str = Field(min_length=1, max_length=64)
    rules: list[str] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    count_by: Literal["rule", "category"] = "category"
    steps: list[Step] = Field(min_length=1, max_length=20)
    critical_start: Tier | None = None

    @model_validator(mode="after")
    def _steps_go_up(self) -> "Ladder":
        ranks = [TIERS.index(s.tier) for s in self.steps]
        if ranks != sorted(ranks):
            raise ValueError("steps must not go down the tiers")
        return self

    @property
    def is_default(self) -> bool:
        """Whether this ladder takes the violations no other ladder names."""
        return not self.rules and not self.categories


class LadderConfig(Strict):
    """The whole ladder file."""

    window_days: int = Field(90, ge=1, le=3650)
    critical_start: Tier = "deduction"
    ladders: list[Ladder] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "LadderConfig":
        ids = [ladder.id for ladder in self.ladders]
        if len(ids) != len(set(ids)):
            raise ValueError("ladder ids must be unique")
        if sum(ladder.is_default for ladder in self.ladders) > 1:
            raise ValueError("at most one ladder may leave out rules and categories")
        return self

    def ladder_for(self, rule_id: str | None, category: str) -> Ladder | None:
        """A ladder naming the rule, else one naming the category, else the default."""
        for test in (
            lambda lad: rule_id is not None and rule_id in lad.rules,
            lambda lad: category in lad.categories,
            lambda lad: lad.is_default,
        ):
            found = next((lad for lad in self.ladders if test(lad)), None)
            if found:
                return found
        return None


def parse(text: str, *, source: str) -> LadderConfig:
    """Validates a ladder file's text; LadderError names the file and the field."""
    if len(text.encode()) > MAX_LADDER_BYTES:
        raise LadderError(f"{source}: a ladder file is at most {MAX_LADDER_BYTES // 1024} KB")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LadderError(f"{source}: not valid YAML: {exc}") from None
    try:
        return LadderConfig.model_validate(raw)
    except ValidationError as exc:
        places = [
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        ]
        raise LadderError(f"{source}: " + "; ".join(places)) from None


def load(path: Path) -> LadderConfig:
    """Loads the ladder file."""
    return parse(path.read_text(encoding="utf-8"), source=str(path))


@dataclass(frozen=True)
class Violation:
    """A confirmed violation: an evaluation item that lost points, with its evidence."""

    evaluation_id: int
    review_id: int
    call_id: int
    item_id: str
    rule_id: str | None
    category: str
    occurred_at: datetime
    critical: bool
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Placement:
    """Where a violation landed on its ladder, and why."""

    violation: Violation
    ladder: str
    counted_as: str
    prior: int
    step: Step


def place(config: LadderConfig, violations: list[Violation]) -> list[Placement]:
    """Places one agent's violations, oldest first; those no ladder takes are left out."""
    window = timedelta(days=config.window_days)
    seen: dict[tuple[str, str], list[datetime]] = {}
    placed = []
    for v in sorted(violations, key=lambda v: (v.occurred_at, v.evaluation_id, v.item_id)):
        ladder = config.ladder_for(v.rule_id, v.category)
        if ladder is None:
            continue
        counted_as = (v.rule_id or f"item:{v.item_id}") if ladder.count_by == "rule" else v.category
        earlier = seen.setdefault((ladder.id, counted_as), [])
        prior = sum(1 for t in earlier if v.occurred_at - t < window)
        index = prior
        if v.critical:
            start = TIERS.index(ladder.critical_start or config.critical_start)
            first = next(
                (i for i, s in enumerate(ladder.steps) if TIERS.index(s.tier) >= start),
                len(ladder.steps) - 1,
            )
            index = max(index, first)
        step = ladder.steps[min(index, len(ladder.steps) - 1)]
        placed.append(Placement(v, ladder.id, counted_as, prior, step))
        earlier.append(v.occurred_at)
    return placed
