"""Calibration charts as PNG, drawn like the reports' (services/reports/charts.py: matplotlib's
object API, the CJK font): each inspector's bias on the reveal page, and one inspector's course
over sessions on their history page. Labels are in the reader's language (the catalogue).

Colours say the direction only where the 95 % interval excludes 0 (lenient red, severe blue);
an interval across 0 is no evidence of a bias, however far its point lies, and stays grey.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from services.i18n import _
from services.reports import charts

LENIENT, SEVERE, NEUTRAL, OUTSIDE = "#c0392b", "#2471a3", "#2c3e50", "#e67e22"
BAND = "#27ae60"


def _colour(bias: dict[str, Any]) -> str:
    if bias["low"] > 0:
        return LENIENT
    if bias["high"] < 0:
        return SEVERE
    return NEUTRAL


def _whisker(ax: Axes, x: float, y: float, bias: dict[str, Any], *, vertical: bool) -> None:
    """A point with its 95 % interval."""
    spread = [[bias["value"] - bias["low"]], [bias["high"] - bias["value"]]]
    colour = _colour(bias)
    if vertical:
        ax.errorbar(x, y, yerr=spread, fmt="o", color=colour, capsize=4)
    else:
        ax.errorbar(x, y, xerr=spread, fmt="o", color=colour, capsize=4)


def render_bias(participants: Sequence[dict[str, Any]], *, limit: float) -> bytes:
    """Each inspector's mean signed deviation from the gold with its 95 % interval (a row
    each), the tolerance band ±``limit`` points shaded around 0."""
    charts.prepare("png")
    names = [p["username"] for p in participants]
    fig = Figure(figsize=(7.5, 1.6 + 0.45 * max(1, len(names))), layout="constrained")
    ax = fig.add_subplot()
    band = _("Tolerance ±{points} points", points=f"{limit:g}")
    ax.axvspan(-limit, limit, color=BAND, alpha=0.15, label=band)
    ax.axvline(0, color=NEUTRAL, linewidth=0.8)
    widest = limit
    for row, person in enumerate(participants):
        bias = person.get("bias")
        if bias is None:  # fewer than two calls: no interval to draw
            ax.text(0, row, _("no estimate"), ha="center", va="center", fontsize=8, color="#7f8c8d")
            continue
        _whisker(ax, bias["value"], row, bias, vertical=False)
        widest = max(widest, abs(bias["low"]), abs(bias["high"]))
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)  # the first participant on top, as in the table
    ax.set_xlim(-1.15 * widest - 0.5, 1.15 * widest + 0.5)
    ax.set_xlabel(_("Mean deviation from the gold, points (95 % interval)"))
    ax.set_title(_("Bias per inspector: lenient to the right, severe to the left"))
    ax.legend(fontsize=8, loc="lower right")
    return charts.save(fig, "png")


def render_history(series: Sequence[dict[str, Any]], *, zone: ZoneInfo) -> bytes:
    """One inspector's course, a point per session: the bias with its interval against the
    session's tolerance band, and the agreement with the gold's item answers below it.
    Sessions outside tolerance are marked."""
    charts.prepare("png")
    fig = Figure(figsize=(8.5, 6), layout="constrained")
    bias_ax, agree_ax = fig.subplots(2, 1, sharex=True)
    x = list(range(len(series)))
    # Each session's band spans its own column, so that differing tolerances show as steps.
    edges = [edge for k in x for edge in (k - 0.5, k + 0.5)]
    limits = [s["limit"] for s in series for _edge in (0, 1)]
    band = _("Tolerance band")
    bias_ax.fill_between(edges, [-v for v in limits], limits, color=BAND, alpha=0.15, label=band)
    bias_ax.axhline(0, color=NEUTRAL, linewidth=0.8)
    for k, point in enumerate(series):
        if point["bias"] is not None:
            _whisker(bias_ax, k, point["bias"]["value"], point["bias"], vertical=True)
        if point["outside_tolerance"]:
            bias_ax.axvspan(k - 0.4, k + 0.4, color=OUTSIDE, alpha=0.12)
    bias_ax.set_ylabel(_("Bias, points"))
    bias_ax.set_title(_("Bias against the gold per session (shaded: outside tolerance)"))
    bias_ax.legend(fontsize=8, loc="upper left")
    _agreement(agree_ax, series)
    # Sessions of one day differ by number.
    labels = [f"#{s['session_id']} {_day(s['held_at'], zone)}" for s in series]
    agree_ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    agree_ax.set_xlim(-0.6, max(0.6, len(series) - 0.4))
    return charts.save(fig, "png")


def _agreement(ax: Axes, series: Sequence[dict[str, Any]]) -> None:
    for k, point in enumerate(series):
        found = point["item_agreement"]
        if found is None:
            continue
        low, value, high = (100 * found[key] for key in ("low", "value", "high"))
        spread = [[value - low], [high - value]]
        first = all(p["item_agreement"] is None for p in series[:k])
        label = _("Agreement with the gold's item answers (%)") if first else None
        ax.errorbar(k, value, yerr=spread, fmt="s", color=NEUTRAL, capsize=4, label=label)
    ax.plot(
        range(len(series)),
        [100 * s["within_tolerance"] for s in series],
        color=BAND,
        marker="^",
        linewidth=1,
        label=_("Calls within tolerance, %"),
    )
    ax.set_ylim(-5, 105)
    ax.set_ylabel(_("Agreement with the gold, %"))
    ax.legend(fontsize=8, loc="lower left")


def _day(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%Y-%m-%d")
