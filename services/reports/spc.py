"""Control charts: p (limits that follow each point's n), Laney p′, and X̄–S of scores.

Limits are computed from the points given (a phase-I chart: the period judges itself).
Formulas follow Montgomery, Introduction to Statistical Quality Control, and Laney (2002),
"Improved control charts for attributes", Quality Engineering 14(4).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from services.reports.western_electric import Signal, western_electric

D2_OF_2 = 1.128  # d2 for moving ranges of two points: E[|X₁ − X₂|] = 1.128σ


@dataclass(frozen=True)
class Proportion:
    """Defectives (calls with a violation) out of n in one subgroup: a day, a week."""

    label: str
    defects: int
    n: int


@dataclass(frozen=True)
class Scores:
    """The scores of one subgroup (e.g. the calls of one day)."""

    label: str
    scores: Sequence[float]


@dataclass(frozen=True)
class ControlChart:
    """Points with their center line, σ and limits (per point), and the rules they break."""

    kind: str  # p | laney-p | xbar | s
    labels: list[str]
    values: list[float]
    n: list[int]
    center: list[float]
    sigma: list[float]
    lcl: list[float]
    ucl: list[float]
    signals: list[Signal]
    sigma_z: float | None = None  # Laney's between-subgroup inflation; 1 = plain p chart

    def out_of_control(self) -> list[int]:
        """Indexes of the points that break any rule, in order."""
        return sorted({s.index for s in self.signals})


def p_chart(points: Sequence[Proportion]) -> ControlChart:
    """The p chart: p̄ = Σx/Σn; limits p̄ ± 3√(p̄(1−p̄)/nᵢ), clipped to [0, 1]."""
    p_bar, sigmas = _binomial(points)
    return _chart("p", points, p_bar, sigmas, None)


def laney_p_chart(points: Sequence[Proportion]) -> ControlChart:
    """Laney p′ chart: the p chart's σᵢ times σ_z, the spread of the points' z-scores.

    zᵢ = (pᵢ − p̄)/σᵢ; σ_z = mean |zᵢ − zᵢ₋₁| / 1.128; limits p̄ ± 3σᵢσ_z. With thousands of
    calls a day the binomial σᵢ is tiny, and the real day-to-day variation of a stable process
    (other callers, other campaigns) puts most days outside plain p limits; σ_z measures that
    variation and widens the limits by it (σ_z ≈ 1 where the binomial model holds).
    """
    if len(points) < 2:
        raise ValueError("a p′ chart needs at least 2 points / p′ 图至少需要 2 个点")
    p_bar, sigmas = _binomial(points)
    z = [
        (pt.defects / pt.n - p_bar) / s if s else 0.0 for pt, s in zip(points, sigmas, strict=True)
    ]
    sigma_z = sum(abs(b - a) for a, b in pairwise(z)) / (len(z) - 1) / D2_OF_2
    return _chart("laney-p", points, p_bar, [s * sigma_z for s in sigmas], sigma_z)


def c4(n: int) -> float:
    """c4 = √(2/(n−1)) · Γ(n/2) / Γ((n−1)/2): E[s] = c4·σ for normal samples of n."""
    if n < 2:
        raise ValueError("a subgroup needs at least 2 scores / 子组至少需要 2 个分数")
    return math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def a3(n: int) -> float:
    """A3 = 3 / (c4 √n): X̄ limits are X̿ ± A3·S̄."""
    return 3 / (c4(n) * math.sqrt(n))


def b3(n: int) -> float:
    """B3 = max(0, 1 − 3√(1 − c4²)/c4): the S chart's lower limit is B3·S̄."""
    return max(0.0, 1 - 3 * math.sqrt(1 - c4(n) ** 2) / c4(n))


def b4(n: int) -> float:
    """B4 = 1 + 3√(1 − c4²)/c4: the S chart's upper limit is B4·S̄."""
    return 1 + 3 * math.sqrt(1 - c4(n) ** 2) / c4(n)


def xbar_s_charts(groups: Sequence[Scores]) -> tuple[ControlChart, ControlChart]:
    """X̄ and S charts of scores; subgroups may differ in size.

    Equal sizes: S̄ is the mean of the sᵢ. Unequal: S̄ = √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)) and X̿ is
    weighted by nᵢ (Montgomery §6.3.2), and each point's limits use its own nᵢ.
    """
    if not groups:
        raise ValueError("no subgroups / 没有子组")
    sizes = [len(g.scores) for g in groups]
    for g, n in zip(groups, sizes, strict=True):
        if n < 2:
            raise ValueError(f"subgroup {g.label!r} has {n} score(s), needs 2 / 子组至少 2 个分数")
    means = [math.fsum(g.scores) / n for g, n in zip(groups, sizes, strict=True)]
    sds = [
        math.sqrt(math.fsum((x - m) ** 2 for x in g.scores) / (n - 1))
        for g, n, m in zip(groups, sizes, means, strict=True)
    ]
    return xbar_s_from_summaries([g.label for g in groups], sizes, means, sds)


def xbar_s_from_summaries(
    labels: Sequence[str], sizes: Sequence[int], means: Sequence[float], sds: Sequence[float]
) -> tuple[ControlChart, ControlChart]:
    """X̄ and S charts from each subgroup's size, mean and standard deviation (what a rollup
    of sums and sums of squares gives), as ``xbar_s_charts`` draws them from the scores."""
    if not labels:
        raise ValueError("no subgroups / 没有子组")
    for label, n in zip(labels, sizes, strict=True):
        if n < 2:
            raise ValueError(f"subgroup {label!r} has {n} score(s), needs 2 / 子组至少 2 个分数")
    sizes, labels = list(sizes), list(labels)
    grand = math.fsum(m * n for m, n in zip(means, sizes, strict=True)) / sum(sizes)
    if len(set(sizes)) == 1:
        s_bar = math.fsum(sds) / len(sds)
    else:
        pooled = math.fsum((n - 1) * s * s for n, s in zip(sizes, sds, strict=True))
        s_bar = math.sqrt(pooled / (sum(sizes) - len(sizes)))
    # σ of X̄ is A3·S̄/3 = S̄/(c4√n); σ of s is S̄·√(1 − c4²)/c4, so ±3σ gives B3·S̄ and B4·S̄.
    x_sigma = [a3(n) * s_bar / 3 for n in sizes]
    s_sigma = [s_bar * math.sqrt(1 - c4(n) ** 2) / c4(n) for n in sizes]
    xbar = _limits("xbar", labels, list(means), sizes, [grand] * len(sizes), x_sigma, None, None)
    s = _limits("s", labels, list(sds), sizes, [s_bar] * len(sizes), s_sigma, 0.0, None)
    return xbar, s


def _binomial(points: Sequence[Proportion]) -> tuple[float, list[float]]:
    if not points:
        raise ValueError("no points / 没有数据点")
    for pt in points:
        if pt.n <= 0 or not 0 <= pt.defects <= pt.n:
            raise ValueError(f"bad counts at {pt.label!r}: {pt.defects} of {pt.n} / 计数无效")
    p_bar = sum(pt.defects for pt in points) / sum(pt.n for pt in points)
    return p_bar, [math.sqrt(p_bar * (1 - p_bar) / pt.n) for pt in points]


def _chart(
    kind: str,
    points: Sequence[Proportion],
    p_bar: float,
    sigmas: list[float],
    sigma_z: float | None,
) -> ControlChart:
    values = [pt.defects / pt.n for pt in points]
    labels, sizes = [pt.label for pt in points], [pt.n for pt in points]
    return _limits(kind, labels, values, sizes, [p_bar] * len(points), sigmas, 0.0, 1.0, sigma_z)


def _limits(
    kind: str,
    labels: list[str],
    values: list[float],
    sizes: list[int],
    center: list[float],
    sigma: list[float],
    floor: float | None,
    ceiling: float | None,
    sigma_z: float | None = None,
) -> ControlChart:
    lcl = [c - 3 * s for c, s in zip(center, sigma, strict=True)]
    ucl = [c + 3 * s for c, s in zip(center, sigma, strict=True)]
    if floor is not None:
        lcl = [max(floor, v) for v in lcl]
    if ceiling is not None:
        ucl = [min(ceiling, v) for v in ucl]
    # A point with σ = 0 (p̄ of 0 or 1) sits on its center line: z = 0, no signal.
    z = [(v - c) / s if s else 0.0 for v, c, s in zip(values, center, sigma, strict=True)]
    signals = western_electric(z)
    return ControlChart(kind, labels, values, sizes, center, sigma, lcl, ucl, signals, sigma_z)
