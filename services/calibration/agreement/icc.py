"""Intraclass correlations of total scores: ICC(1,1), ICC(2,1) and ICC(3,1).

Shrout & Fleiss (1979), "Intraclass correlations: uses in assessing rater reliability",
Psychological Bulletin 86(2):420–428; the F-based 95 % intervals are McGraw & Wong
(1996), "Forming inferences about some intraclass correlation coefficients", Psychological
Methods 1(1):30–46 (for ICC(2,1), their ICC(A,1), with Satterthwaite's degrees of freedom).
"""

from typing import Literal

import numpy as np
from scipy import stats

from services.calibration.agreement.ratings import (
    AgreementError,
    Estimate,
    Rows,
    UndefinedStatistic,
    is_missing,
)

Form = Literal["1,1", "2,1", "3,1"]


def icc(rows: Rows, *, form: Form = "2,1") -> Estimate:
    """One rater's reliability: 1,1 raters random per unit; 2,1 absolute; 3,1 consistency.

    ICC needs every rater on every unit: units with a missing score are left out (n counts the
    units used).
    """
    complete = [row for row in rows if not any(is_missing(v) for v in row)]
    try:
        x = np.array(complete, dtype=float)
    except (TypeError, ValueError):
        raise AgreementError("ICC needs numeric scores") from None
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise UndefinedStatistic("ICC needs two raters who both scored at least two units")
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_raters = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((x - grand) ** 2).sum()
    ms_rows = ss_rows / (n - 1)
    ms_raters = ss_raters / (k - 1)
    if ss_total == 0:
        raise UndefinedStatistic("ICC is undefined: every score is the same")
    # Residual sums are differences of sums: rounding leaves ~1e-16 where they are exactly 0.
    ss_error = ss_total - ss_rows - ss_raters
    ss_within = ss_total - ss_rows
    ss_error, ss_within = (0.0 if ss < 1e-12 * ss_total else ss for ss in (ss_error, ss_within))
    ms_error = ss_error / ((n - 1) * (k - 1))
    ms_within = ss_within / (n * (k - 1))
    if ss_rows < 1e-12 * ss_total and ss_error == 0:
        # Every call got the same mean and each rater scored all calls alike: the scores differ
        # only by rater, and there is no spread between calls to compare that with.
        raise UndefinedStatistic("ICC is undefined: the units do not differ, only the raters")
    name = f"ICC({form})"
    if form == "1,1":
        return _consistency(name, ms_rows, ms_within, n, k, n * (k - 1))
    if form == "3,1":
        return _consistency(name, ms_rows, ms_error, n, k, (n - 1) * (k - 1))
    return _absolute(name, ms_rows, ms_raters, ms_error, n, k)


def _consistency(name: str, ms_rows: float, ms_error: float, n: int, k: int, df: int) -> Estimate:
    """ICC(1,1) or ICC(3,1): (MSR − MSE) / (MSR + (k − 1) MSE), F-based interval."""
    value = (ms_rows - ms_error) / (ms_rows + (k - 1) * ms_error)
    if ms_error == 0:
        return Estimate(name, float(value), n, float(value), float(value), "f", 0.0)
    f_obs = ms_rows / ms_error
    f_low = f_obs / stats.f.ppf(0.975, n - 1, df)
    f_high = f_obs * stats.f.ppf(0.975, df, n - 1)
    low, high = (float((f - 1) / (f + k - 1)) for f in (f_low, f_high))
    return Estimate(name, float(value), n, low, high, "f", float(stats.f.sf(f_obs, n - 1, df)))


def _absolute(
    name: str, ms_rows: float, ms_raters: float, ms_error: float, n: int, k: int
) -> Estimate:
    """ICC(2,1): absolute agreement, raters a random sample (McGraw & Wong's ICC(A,1))."""
    value = (ms_rows - ms_error) / (ms_rows + (k - 1) * ms_error + k * (ms_raters - ms_error) / n)
    p = float(stats.f.sf(ms_rows / ms_error, n - 1, (n - 1) * (k - 1))) if ms_error else 0.0
    if value >= 1:
        return Estimate(name, float(value), n, float(value), float(value), "f", p)
    a = k * value / (n * (1 - value))
    b = 1 + k * value * (n - 1) / (n * (1 - value))
    df = (a * ms_raters + b * ms_error) ** 2 / (
        (a * ms_raters) ** 2 / (k - 1) + (b * ms_error) ** 2 / ((n - 1) * (k - 1))
    )
    f_up = stats.f.ppf(0.975, n - 1, df)
    f_down = stats.f.ppf(0.975, df, n - 1)
    spread = k * ms_raters + (k * n - k - n) * ms_error
    low = n * (ms_rows - f_up * ms_error) / (f_up * spread + n * ms_rows)
    high = n * (f_down * ms_rows - ms_error) / (spread + n * f_down * ms_rows)
    return Estimate(name, float(value), n, float(low), float(high), "f", p)
