"""Why a score is out of what it is out of: which scorecard items count towards the maximum
(machine-scored, scored by a person) and which are left out, and why."""

from typing import Any

from services.i18n import _


def _why_left_out(item: dict[str, Any]) -> tuple[str, str]:
    """Why an item without points earned does not count: a code and a sentence."""
    machine_status = (item.get("machine") or {}).get("status", item.get("status"))
    if item.get("status") == "manual":
        return "manual", _("scored by a person, not by the machine")
    if machine_status == "not_measurable" and item.get("decided_by", "machine") == "machine":
        return "not_measurable", _("not measurable on this recording")
    return "not_applicable", _("marked not applicable")


def explain_maximum(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The maximum of a machine score's or an evaluation's items, explained."""
    machine: list[dict[str, Any]] = []
    manual: list[dict[str, Any]] = []
    left_out = []
    for item in items:
        if item.get("earned") is None:
            why, text = _why_left_out(item)
            left_out.append(
                {"item": item["id"], "name": item["name"], "points": item["points"],
                 "why": why, "text": text}
            )  # fmt: skip
        elif item.get("manual"):
            manual.append(item)
        else:
            machine.append(item)
    machine_points = sum(i["points"] for i in machine)
    manual_points = sum(i["points"] for i in manual)
    left_out_points = sum(i["points"] for i in left_out)
    counted = round(machine_points + manual_points, 2)
    scorecard = round(counted + left_out_points, 2)
    summary = _(
        "Out of {counted} of the scorecard's {scorecard} points: {machine} machine-scored, "
        "{manual} scored by a person, {left_out} left out.",
        counted=f"{counted:g}",
        scorecard=f"{scorecard:g}",
        machine=f"{machine_points:g}",
        manual=f"{manual_points:g}",
        left_out=f"{left_out_points:g}",
    )
    return {
        "scorecard": scorecard,
        "counted": counted,
        "machine_scored": {"points": machine_points, "items": [i["id"] for i in machine]},
        "manual": {"points": manual_points, "items": [i["id"] for i in manual]},
        "left_out": left_out,
        "summary": summary,
    }
