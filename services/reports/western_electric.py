"""The Western Electric rules for a control chart, applied to points in sigma units.

Zones: A lies between 2σ and 3σ from the center line, B between 1σ and 2σ, C within 1σ.
Each rule marks the point that completes its pattern, and only when that point is itself part
of it (beyond the rule's distance, on the same side), so a pattern is not blamed on an
innocent later point. A point exactly on the center line is on neither side.
"""

from collections.abc import Sequence
from dataclasses import dataclass

# (rule, window, points needed, distance in σ): Western Electric Statistical Quality Control
# Handbook (1956), rules 1–4.
RULES = ((1, 1, 1, 3.0), (2, 3, 2, 2.0), (3, 5, 4, 1.0), (4, 8, 8, 0.0))

DESCRIPTIONS = {
    1: "1 点超出 3σ 控制限 / 1 point beyond the 3σ control limit",
    2: "连续 3 点中 2 点在同侧 A 区或以外 (>2σ) / 2 of 3 points beyond 2σ on one side (zone A)",
    3: "连续 5 点中 4 点在同侧 B 区或以外 (>1σ) / 4 of 5 points beyond 1σ on one side (zone B)",
    4: "连续 8 点在中心线同侧 / 8 points in a row on one side of the center line",
}


@dataclass(frozen=True)
class Signal:
    """An out-of-control point: which rule it breaks and on which side of the center line."""

    index: int
    rule: int
    side: str  # above | below
    description: str


def western_electric(z: Sequence[float]) -> list[Signal]:
    """The points that break rules 1–4, given each point's (value − center) / σ."""
    signals = []
    for i in range(len(z)):
        for rule, window, needed, distance in RULES:
            if i + 1 < window:
                continue
            recent = z[i + 1 - window : i + 1]
            for side, sign in (("above", 1.0), ("below", -1.0)):
                beyond = [sign * v > distance for v in recent]
                if beyond[-1] and sum(beyond) >= needed:
                    signals.append(Signal(i, rule, side, DESCRIPTIONS[rule]))
    return signals
