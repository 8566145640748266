"""Krippendorff's α for nominal, ordinal, interval and ratio answers, missing answers allowed.

Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
Communication: α = 1 − D_o / D_e from the coincidence matrix of pairable values. Its interval is
a seeded bootstrap over units (percentiles of α on units drawn with replacement), the resampling
Krippendorff recommends over an analytic variance.
"""

from collections.abc import Sequence

import numpy as np

from services.calibration.agreement.ratings import (
    Estimate,
    Level,
    Rows,
    UndefinedStatistic,
    Value,
    count,
    numeric,
)


def krippendorff_alpha(
    rows: Rows,
    *,
    level: Level = "nominal",
    categories: Sequence[Value] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> Estimate:
    """Krippendorff's α at a level of measurement; ordinal text answers need their categories."""
    counts = count(rows, categories=categories)
    if level == "ordinal" and categories is None:
        numeric(counts.categories, purpose="ordinal α without the categories in order")
    values = (
        numeric(counts.categories, purpose=f"{level} α")
        if level in ("interval", "ratio")
        else np.arange(len(counts.categories), dtype=float)
    )
    table = counts.table[counts.table.sum(axis=1) >= 2]  # only pairable values count
    if len(table) == 0:
        raise UndefinedStatistic("α needs a unit answered by two raters")
    n = len(table)
    value = float(_alpha(table, np.ones((1, n)), level, values)[0])
    if np.isnan(value):
        raise UndefinedStatistic(f"{level} α is undefined: every answer is the same")

    # Each draw weighs every unit by how often it was drawn (with replacement).
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=resamples)
    spread = _alpha(table, draws, level, values)
    spread = spread[~np.isnan(spread)]  # a draw with one value only has no α
    low, high = np.percentile(spread, [2.5, 97.5]) if len(spread) else (value, value)
    return Estimate(f"alpha ({level})", value, n, float(low), float(high), "bootstrap")


def _alpha(table: np.ndarray, draws: np.ndarray, level: Level, values: np.ndarray) -> np.ndarray:
    """α for each row of unit weights in `draws` (NaN where D_e is 0).

    α = 1 − (N − 1) Σ o_ck δ_ck / Σ n_c n_k δ_ck. A unit with counts t_u and m_u values adds
    t_uᵀ δ t_u / (m_u − 1) to the first sum, so the q × q coincidence matrix is never built.
    """
    per_unit = table.sum(axis=1) - 1
    marginal = draws @ table  # draws × categories: n_c
    total = marginal.sum(axis=1)
    if level == "ordinal":
        # The ordinal metric is the squared distance between mid-ranks of the marginals:
        # (Σ_{g=c}^{k} n_g − (n_c + n_k)/2)² = (M_k − M_c)², M_g = Σ_{h≤g} n_h − n_g/2;
        # then Σ_ck a_c a_k (M_k − M_c)² = 2 (Σ a) (Σ a_c M_c²) − 2 (Σ a_c M_c)².
        mid = np.cumsum(marginal, axis=1) - marginal / 2
        first, second = table @ mid.T, table @ (mid**2).T  # units × draws
        spread_u = 2 * (table.sum(axis=1)[:, None] * second - first**2) / per_unit[:, None]
        observed = (draws * spread_u.T).sum(axis=1)
        expected = 2 * (total * (marginal * mid**2).sum(axis=1) - (marginal * mid).sum(axis=1) ** 2)
    else:
        delta = _metric(level, values)
        observed = draws @ (((table @ delta) * table).sum(axis=1) / per_unit)
        expected = ((marginal @ delta) * marginal).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (total - 1) * observed / expected, np.nan)


def _metric(level: Level, values: np.ndarray) -> np.ndarray:
    """δ²_ck between categories: nominal 0/1, interval (c − k)², ratio ((c − k)/(c + k))²."""
    difference = values[:, None] - values[None, :]
    if level == "nominal":
        return 1 - np.eye(len(values))
    if level == "interval":
        return difference**2
    sums = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sums == 0, 0.0, (difference / sums) ** 2)
