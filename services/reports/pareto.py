"""Pareto of violations: categories by count, with the cumulative share and the vital few."""

from collections.abc import Mapping
from dataclasses import dataclass

VITAL_SHARE = 0.8  # the 80/20 principle: the few categories that make up 80 % of violations


@dataclass(frozen=True)
class ParetoRow:
    """One category with its count, share and cumulative share (0..1)."""

    category: str
    count: int
    share: float
    cumulative: float
    vital: bool


def pareto(counts: Mapping[str, int]) -> list[ParetoRow]:
    """Categories from most to least frequent; the vital few are those up to 80 % cumulative.

    The category that crosses 80 % is vital too (without it the vital few fall short of 80 %).
    Ties are ordered by name, so the same counts always give the same table.
    """
    if any(c < 0 for c in counts.values()):
        raise ValueError("counts must not be negative / 计数不能为负")
    total = sum(counts.values())
    rows: list[ParetoRow] = []
    running = 0
    for category, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        # Vital while the categories before this one have not yet reached 80 %.
        vital = total > 0 and count > 0 and running < VITAL_SHARE * total
        running += count
        share = count / total if total else 0.0
        rows.append(ParetoRow(category, count, share, running / total if total else 0.0, vital))
    return rows
