"""Violation rates with a 95 % Wilson interval, and the training-need ranking built on them.

Inputs are counts (violations and calls per group and rule), as a GROUP BY query returns them.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)  # 1.95996…, two-sided 95 %


@dataclass(frozen=True)
class Rate:
    """A proportion with its 95 % Wilson interval and the n it rests on."""

    count: int
    n: int
    rate: float
    low: float
    high: float


def wilson(count: int, n: int, z: float = Z95) -> Rate:
    """The rate count/n with its Wilson score interval.

    Wilson (1927): (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n). Unlike the Wald interval
    p ± z·√(p(1−p)/n) it stays inside [0, 1] and does not collapse to a point at 0 or n, which
    matters for small groups and rare violations.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n} / n 必须为正数")
    if not 0 <= count <= n:
        raise ValueError(f"count must lie in 0..n, got {count} of {n} / 计数须在 0 到 n 之间")
    p = count / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At count 0 (n) the lower (upper) bound is exactly 0 (1); the formula leaves rounding dust.
    low = 0.0 if count == 0 else centre - half
    high = 1.0 if count == n else centre + half
    return Rate(count, n, p, low, high)


@dataclass(frozen=True)
class GroupCount:
    """Calls and violations of one rule by one group (an agent, a team or a tenure band)."""

    rule: str
    dimension: str  # agent | team | tenure
    group: str
    violations: int
    calls: int


@dataclass(frozen=True)
class TrainingNeed:
    """A group's rate for a rule against the center's, and the gap the ranking uses."""

    rule: str
    dimension: str
    group: str
    rate: Rate
    baseline: float
    gap: float  # the Wilson lower bound minus the baseline
    is_need: bool  # gap > 0: even the low end of the interval is above the center


def rank_training_needs(
    *, groups: Iterable[GroupCount], center: Mapping[str, tuple[int, int]]
) -> list[TrainingNeed]:
    """Groups ranked, within each rule and dimension, by how far their violation rate is
    surely above the center's.

    ``center`` maps each rule to the center's (violations, calls) over the same period.

    The ranking key is the lower 95 % Wilson bound of the group's rate minus the center's rate.
    It orders by size of gap, discounted by uncertainty: 1 violation in 2 calls (lower bound
    9 %) does not outrank 40 in 200 (15 %). A two-proportion test would order by p-value,
    which rewards a large n more than a large gap, so it is not used. The center's rate is
    taken as fixed: it rests on all the center's calls, far more than any group's.
    """
    needs = []
    for g in groups:
        if g.rule not in center:
            raise ValueError(f"no center rate for rule {g.rule!r} / 规则 {g.rule!r} 缺少中心基线")
        violations, calls = center[g.rule]
        baseline = wilson(violations, calls).rate
        rate = wilson(g.violations, g.calls)
        gap = rate.low - baseline
        needs.append(TrainingNeed(g.rule, g.dimension, g.group, rate, baseline, gap, gap > 0))
    needs.sort(key=lambda t: (t.rule, t.dimension, -t.gap, t.group))
    return needs
