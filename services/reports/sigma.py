"""Process sigma from defects per million opportunities (DPMO)."""

from statistics import NormalDist

# The six-sigma convention: a process drifts 1.5σ in the long run, so the short-term sigma
# level is the long-term z of the yield plus 1.5 (3.4 DPMO ↔ 6σ, 66,807 DPMO ↔ 3σ).
SHIFT = 1.5


def dpmo(*, defects: int, units: int, opportunities: int) -> float:
    """Defects per million opportunities: defects / (units × opportunities per unit) × 10⁶."""
    if units <= 0 or opportunities <= 0:
        raise ValueError("units and opportunities must be positive / 单位数与机会数须为正数")
    if not 0 <= defects <= units * opportunities:
        raise ValueError("defects must lie in 0..units × opportunities / 缺陷数超出范围")
    return defects / (units * opportunities) * 1e6


def process_sigma(dpmo_value: float) -> float:
    """The sigma level of a DPMO with the 1.5σ shift: Φ⁻¹(1 − DPMO/10⁶) + 1.5.

    A DPMO of 0 or 10⁶ has no finite level; it is refused rather than reported as ±∞.
    """
    if not 0 < dpmo_value < 1e6:
        raise ValueError(
            f"DPMO must lie strictly between 0 and 1,000,000, got {dpmo_value} "
            "/ DPMO 须在 0 与 1,000,000 之间"
        )
    return NormalDist().inv_cdf(1 - dpmo_value / 1e6) + SHIFT
