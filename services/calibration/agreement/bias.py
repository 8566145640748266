"""An inspector's bias against the expert: the mean signed deviation of their scores from gold.

Positive is lenient (scores higher than the expert), negative severe. The interval and p-value
are the one-sample t-test of the deviations against 0 (Student 1908), so a bias is named only
when its interval excludes 0.
"""

from collections.abc import Sequence
from typing import Literal

import numpy as np

from services.calibration.agreement.ratings import (
    AgreementError,
    Estimate,
    UndefinedStatistic,
    t_interval,
)

Leaning = Literal["lenient", "severe", "none"]


def bias(scores: Sequence[float | None], gold: Sequence[float | None]) -> Estimate:
    """Mean of score − gold over the units both scored, with its t-based 95 % interval."""
    if len(scores) != len(gold):
        raise AgreementError("scores and gold need one entry per unit each")
    deviation = np.array(scores, dtype=float) - np.array(gold, dtype=float)  # None → NaN
    deviation = deviation[~np.isnan(deviation)]
    if len(deviation) < 2:
        raise UndefinedStatistic("bias needs at least two units scored by both")
    n = len(deviation)
    se = deviation.std(ddof=1) / np.sqrt(n)
    return t_interval("bias", float(deviation.mean()), float(se), n, bounds=(-np.inf, np.inf))


def leaning(estimate: Estimate) -> Leaning:
    """Lenient or severe when the bias interval excludes 0, else none."""
    if estimate.low > 0:
        return "lenient"
    if estimate.high < 0:
        return "severe"
    return "none"
