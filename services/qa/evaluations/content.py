"""An evaluation's content: the machine scorecard, corrected by a person.

The inspector's verdicts on the machine hits decide the machine items (every hit rejected: full
points; otherwise the points lost for the confirmed hits); a person's score replaces an item's
(manual items need one); a red-line item that still lost points zeroes the total. Pure
functions over plain dicts, so that a version can always be recomputed from what it stores.
"""

from copy import deepcopy
from typing import Any

from services.i18n import _
from services.scoring.rules.scorecard import section_percent

PASS, HIT, NOT_APPLICABLE = "pass", "hit", "not_applicable"
Item = dict[str, Any]


def from_machine(
    score_items: list[Item],
    hits: list[Item],
    categories: dict[str, str],
    ladder: dict[str, Item] | None = None,
) -> list[Item]:
    """Evaluation items from a machine score: each rule item carries its hits as evidence, and
    what the ladder counts (``ladder``: item id → the pack's ``category`` and
    ``violation_when``)."""
    items = []
    for machine in score_items:
        rule = machine.get("rule")
        pack_item = (ladder or {}).get(machine["id"], {})
        manual = machine["status"] == "manual"
        earned = machine.get("earned")
        status = {"pass": PASS, "hit": HIT}.get(machine["status"], NOT_APPLICABLE)
        items.append(
            {
                "id": machine["id"],
                "section": machine["section"],
                "name": machine["name"],
                "points": machine["points"],
                "earned": earned if status != NOT_APPLICABLE else None,
                "status": status,
                "manual": manual,
                "rule": rule,
                "category": pack_item.get("category")
                or (categories.get(rule, "other") if rule else "other"),
                "violation_when": pack_item.get("violation_when")
                or ("fail" if manual else "any_loss"),
                "severity": machine["severity"],
                "auto_fail": machine["auto_fail"],
                "deduct_per_hit": machine.get("deduct_per_hit"),
                "machine": {"status": machine["status"], "earned": earned},
                "hits": [dict(h) for h in hits if rule and h["rule_id"] == rule],
                "comment": "",
                "decided_by": "machine",
            }
        )
    return items


def problems(items: list[Item], draft: dict[str, Any]) -> list[str]:
    """What a draft still lacks before it can be submitted: hit verdicts and manual scores."""
    verdicts = draft.get("hits", {})
    scored = draft.get("items", {})
    found = []
    for item in items:
        if item["manual"] and item["id"] not in scored:
            found.append(
                _("item {item_id!r} is scored by a person and has no score", item_id=item["id"])
            )
        for hit in item["hits"]:
            if str(hit["hit_id"]) not in verdicts:
                found.append(
                    _(
                        "hit {hit_id} ({rule}) is neither confirmed nor rejected",
                        hit_id=hit["hit_id"],
                        rule=item["rule"],
                    )
                )
    return found


def apply_verdicts(
    items: list[Item], verdicts: dict[str, dict[str, Any]], *, by: str
) -> list[Item]:
    """Machine items re-scored by the confirmed hits only."""
    out = deepcopy(items)
    for item in out:
        if not item["hits"]:
            continue
        for hit in item["hits"]:
            verdict = verdicts.get(str(hit["hit_id"]), {})
            hit["confirmed"] = verdict.get("confirmed")  # None: not judged yet
            hit["comment"] = verdict.get("comment", "")
        # Until judged, a hit counts as the machine counted it.
        confirmed = sum(1 for h in item["hits"] if h["confirmed"] is not False)
        per_hit = item.get("deduct_per_hit")
        lost = (
            0.0
            if not confirmed
            else item["points"]
            if per_hit is None
            else min(item["points"], confirmed * per_hit)
        )
        item["earned"] = item["points"] - lost
        item["status"] = HIT if lost else PASS
        if any(h["confirmed"] is False for h in item["hits"]):
            item["decided_by"] = by
    return out


def apply_scores(items: list[Item], scores: dict[str, dict[str, Any]], *, by: str) -> list[Item]:
    """A person's scores replace items' (``earned``, or ``not_applicable``), with comments."""
    out = deepcopy(items)
    by_id = {item["id"]: item for item in out}
    for item_id, given in scores.items():
        item = by_id.get(item_id)
        if item is None:
            raise ValueError(_("the scorecard has no item {item_id!r}", item_id=item_id))
        if given.get("comment"):
            item["comment"] = given["comment"]
        if given.get("not_applicable"):
            item["earned"], item["status"] = None, NOT_APPLICABLE
        elif given.get("earned") is not None:
            earned = float(given["earned"])
            if not 0 <= earned <= item["points"]:
                raise ValueError(
                    _(
                        "item {item_id!r} is scored 0 to {points:g}, not {earned:g}",
                        item_id=item_id,
                        points=item["points"],
                        earned=earned,
                    )
                )
            item["earned"], item["status"] = earned, PASS if earned == item["points"] else HIT
        else:
            continue
        item["decided_by"] = by
    return out


def weights(sections: list[dict[str, Any]]) -> dict[str, float | None]:
    """Section id → weight, from a score's or an evaluation's sections."""
    return {s["id"]: s.get("weight") for s in sections}


def totals(items: list[Item], weights: dict[str, float | None]) -> dict[str, Any]:
    """Sections, total, maximum, percent and auto-fail of a list of items."""
    sections = []
    for section_id, weight in weights.items():
        counted = [i for i in items if i["section"] == section_id and i["earned"] is not None]
        sections.append(
            {
                "id": section_id,
                "weight": weight,
                "earned": sum(i["earned"] for i in counted),
                "maximum": sum(i["points"] for i in counted),
            }
        )
    total = sum(s["earned"] for s in sections)
    percent = section_percent(sections)
    auto_failed = any(i["auto_fail"] and i["status"] == HIT for i in items)
    if auto_failed:
        total, percent = 0.0, 0.0 if percent is not None else None
    return {
        "sections": sections,
        "total": round(total, 2),
        "maximum": round(sum(s["maximum"] for s in sections), 2),
        "percent": round(percent, 1) if percent is not None else None,
        "auto_failed": auto_failed,
    }


def is_violation(item: Item) -> bool:
    """Whether the item's score is a violation as its pack says (``violation_when``): a manual
    item by default only when failed (no points left), a rule item when a confirmed hit lost
    points."""
    if item["status"] != HIT or item["earned"] is None:
        return False
    when: Any = item.get("violation_when") or ("fail" if item.get("manual") else "any_loss")
    if when == "any_loss":
        return True
    if when == "fail":
        return bool(item["earned"] <= 0)
    return bool(item["earned"] < when["below"])


def violations(items: list[Item]) -> list[Item]:
    """The items that are violations: what the discipline ladder counts."""
    return [i for i in items if is_violation(i)]
