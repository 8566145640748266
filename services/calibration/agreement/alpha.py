"""Krippendorff's α for nominal, ordinal, interval and ratio answers, missing answers allowed.

Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
Communication: α = 1 − D_o / D_e from the coincidence matrix of pairable values. Its interval is
a seeded bootstrap over units (percentiles of α on units drawn with replacement), the resampling
Krippendorff recommends over an analytic variance.
"""

from collections.abc import Sequence

import numpy as np

from services.calibration.agreement.ratings import (
    AgreementError,
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
        raise AgreementError("α needs a unit answered by two raters")
    per_unit = _coincidences(table)
    value = float(_alpha(per_unit.sum(axis=0), level, values))
    if np.isnan(value):
        raise UndefinedStatistic(f"{level} α is undefined: every answer is the same")

    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(len(table), np.full(len(table), 1 / len(table)), size=resamples)
    spread = _alpha(np.einsum("bu,ukl->bkl", drawn, per_unit), level, values)
    spread = spread[~np.isnan(spread)]  # a draw with one value only has no α
    low, high = np.percentile(spread, [2.5, 97.5]) if len(spread) else (value, value)
    return Estimate(f"alpha ({level})", value, len(table), float(low), float(high), "bootstrap")


def _coincidences(table: np.ndarray) -> np.ndarray:
    """Each unit's coincidences o_ck: pairs of its values, over (values in the unit − 1)."""
    raters = table.sum(axis=1)
    pairs = table[:, :, None] * table[:, None, :]
    pairs[:, np.arange(table.shape[1]), np.arange(table.shape[1])] -= table
    return pairs / (raters - 1)[:, None, None]


def _alpha(coincidence: np.ndarray, level: Level, values: np.ndarray) -> np.ndarray:
    """α from one coincidence matrix, or from a stack of them (NaN where D_e is 0)."""
    marginal = coincidence.sum(axis=-1)
    total = marginal.sum(axis=-1)
    if level == "nominal":
        delta = 1 - np.eye(len(values))
    elif level == "ordinal":
        # The ordinal metric is the squared distance between mid-ranks of the marginals:
        # (Σ_{g=c}^{k} n_g − (n_c + n_k)/2)² = (M_k − M_c)², M_g = Σ_{h≤g} n_h − n_g/2.
        mid = np.cumsum(marginal, axis=-1) - marginal / 2
        delta = (mid[..., :, None] - mid[..., None, :]) ** 2
    elif level == "interval":
        delta = (values[:, None] - values[None, :]) ** 2
    else:
        sums = values[:, None] + values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.where(sums == 0, 0.0, ((values[:, None] - values[None, :]) / sums) ** 2)
    observed = (coincidence * delta).sum(axis=(-2, -1))
    expected = (marginal[..., :, None] * marginal[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (total - 1) * observed / expected, np.nan)
