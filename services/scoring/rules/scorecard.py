"""Scoring a call against a scorecard from its rule results.

A machine item keeps its points when its rule passes and loses them when it hits (all at once,
or ``deduct_per_hit`` per hit); when its rule cannot be measured on this recording the item is
N/A and leaves the maximum. Manual items wait for a person and are N/A in the machine score.
A hit on an auto-fail (红线) item zeroes the total. Calls are flagged for review by flagging
rules, by auto-fail items and by a total under ``flag_below``.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from services.i18n import N_, Message
from services.scoring.rules.pack import CompiledPack, RuleResult


@dataclass
class ItemScore:
    """One scorecard item on one call."""

    id: str
    section: str
    name: str
    points: float
    earned: float | None  # None: N/A (not measurable, or waiting for a person)
    status: str  # pass | hit | not_measurable | manual
    severity: str
    auto_fail: bool
    rule: str | None
    deduct_per_hit: float | None = None  # kept so a person's verdicts can re-score the item

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: the fields are plain values, so a copy of them (dataclasses.asdict
        copies deeply, 30 times slower, and a call stores a dozen items)."""
        return dict(vars(self))


@dataclass
class Score:
    """A call's machine score under one pack version."""

    pack: str
    pack_version: str
    total: float
    maximum: float
    percent: float | None
    auto_failed: bool
    flagged: bool
    # Why it is flagged: Messages, so each reader sees them in their language.
    reasons: list[Message] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    items: list[ItemScore] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def score(pack: CompiledPack, results: list[RuleResult]) -> Score:
    """Applies the pack's scorecard (if any) and flagging rules to a call's rule results."""
    by_rule = {r.rule.id: r for r in results}
    reasons = [
        N_("{name} ({rule})", name=pack.names(r.rule), rule=r.rule.id)
        for r in results
        if r.rule.flag and r.status == "hit"
    ]
    items: list[ItemScore] = []
    sections: list[dict[str, Any]] = []
    card = pack.spec.scorecard
    for section in card.sections if card else []:
        section_items = [_item(section.id, item, by_rule) for item in section.items]
        items += section_items
        earned = sum(i.earned or 0.0 for i in section_items if i.earned is not None)
        maximum = sum(i.points for i in section_items if i.earned is not None)
        sections.append({"id": section.id, "name": section.name, "weight": section.weight,
                         "earned": earned, "maximum": maximum})  # fmt: skip
    total = sum(s["earned"] for s in sections)
    maximum = sum(s["maximum"] for s in sections)
    percent = section_percent(sections)
    failed = [i for i in items if i.auto_fail and i.status == "hit"]
    if failed:
        total, percent = 0.0, 0.0 if percent is not None else None
        reasons += [N_("red line: {name} ({rule})", name=i.name, rule=i.rule) for i in failed]
    if card and card.flag_below is not None and percent is not None and percent < card.flag_below:
        reasons.append(
            N_(
                "score {percent} is under {limit}",
                percent=f"{percent:.0f}",
                limit=f"{card.flag_below:.0f}",
            )
        )
    return Score(
        pack=pack.id,
        pack_version=pack.version,
        total=round(total, 2),
        maximum=round(maximum, 2),
        percent=round(percent, 1) if percent is not None else None,
        auto_failed=bool(failed),
        flagged=bool(reasons),
        reasons=reasons,
        sections=sections,
        items=items,
    )


def _item(section: str, item: Any, by_rule: dict[str, RuleResult]) -> ItemScore:
    status, earned = _verdict(item, by_rule)
    # Positional, in ItemScore's field order: a call scores a dozen items, and a dataclass
    # built by keyword costs twice as much.
    return ItemScore(
        item.id,
        section,
        item.name,
        item.points,
        earned,
        status,
        item.severity,
        item.auto_fail,
        item.rule,
        item.deduct_per_hit,
    )


def _verdict(item: Any, by_rule: dict[str, RuleResult]) -> tuple[str, float | None]:
    """An item's status and the points it keeps (None: N/A)."""
    if item.manual:
        return "manual", None
    result = by_rule[item.rule]
    status = result.status
    if status == "not_measurable":
        return status, None
    if status == "pass":
        return status, item.points
    hits = max(1, len(result.outcome.evidence))
    lost = (
        item.points if item.deduct_per_hit is None else min(item.points, hits * item.deduct_per_hit)
    )
    return status, item.points - lost


def section_percent(sections: list[dict[str, Any]]) -> float | None:
    """The weighted percent of scored sections (plain points when any section has no weight)."""
    scored = [s for s in sections if s["maximum"] > 0]
    if not scored:
        return None
    if all(s["weight"] for s in scored):
        weight = sum(s["weight"] for s in scored)
        return 100 * sum(s["weight"] * s["earned"] / s["maximum"] for s in scored) / weight
    return 100 * sum(s["earned"] for s in scored) / sum(s["maximum"] for s in scored)
