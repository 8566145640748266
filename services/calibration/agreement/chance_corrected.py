"""Percent agreement, Gwet's AC1/AC2 and Fleiss' κ, with Gwet's variance; missing answers allowed.

All three share Gwet's framework for several raters and missing ratings (Gwet 2008, "Computing
inter-rater reliability and its variance in the presence of high agreement", BJMSP 61:29–48;
Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed.): the observed agreement is averaged
over the units two or more raters answered; chance agreement is estimated from the share of each
category over all rated units; the variance comes from each unit's linearised contribution, and
the 95 % interval is t-based with n − 1 degrees of freedom (n: units rated at least once).
"""

from collections.abc import Sequence
from typing import Literal

import numpy as np

from services.calibration.agreement import weights as weighting
from services.calibration.agreement.ratings import (
    AgreementError,
    Estimate,
    Rows,
    UndefinedStatistic,
    Value,
    all_numeric,
    count,
    t_interval,
)

Chance = Literal["none", "gwet", "fleiss"]


def percent_agreement(
    rows: Rows,
    *,
    weights: weighting.Weights = "identity",
    categories: Sequence[Value] | None = None,
) -> Estimate:
    """The share of pairs of raters who gave a unit the same answer, averaged over units."""
    return _coefficient(rows, "percent agreement", "none", weights, categories)


def gwet_ac(
    rows: Rows,
    *,
    weights: weighting.Weights = "identity",
    categories: Sequence[Value] | None = None,
) -> Estimate:
    """Gwet's AC1 (identity weights) or AC2 (graded weights): agreement beyond chance."""
    name = "AC1" if weights == "identity" else f"AC2 ({weights} weights)"
    return _coefficient(rows, name, "gwet", weights, categories)


def fleiss_kappa(rows: Rows, *, categories: Sequence[Value] | None = None) -> Estimate:
    """Fleiss' κ for nominal answers (Fleiss 1971); with missing answers, Gwet's generalisation."""
    return _coefficient(rows, "Fleiss' kappa", "fleiss", "identity", categories)


def _coefficient(
    rows: Rows,
    name: str,
    chance: Chance,
    weights: weighting.Weights,
    categories: Sequence[Value] | None,
) -> Estimate:
    counts = count(rows, categories=categories)
    table = counts.table
    n, q = table.shape
    if n < 2:
        raise UndefinedStatistic(f"{name} needs at least two rated units")
    w = weighting.matrix(weights, _positions(counts.categories, weights, categories))
    raters = table.sum(axis=1)
    paired = raters >= 2
    n_paired = int(paired.sum())
    if n_paired == 0:
        raise UndefinedStatistic(f"{name} needs a unit answered by two raters")

    # Observed agreement of unit i: Σ_k r_ik (r*_ik − 1) / (r_i (r_i − 1)), r*_ik = Σ_l w_kl r_il.
    pairs = np.where(paired, raters * (raters - 1), 1)
    agreement_i = np.where(paired, (table * (table @ w.T - 1)).sum(axis=1) / pairs, 0.0)
    observed = agreement_i[paired].mean()

    # π_k: the share of category k among a unit's answers, averaged over all rated units.
    shares = (table / raters[:, None]).mean(axis=0)
    if chance == "gwet":
        scale = w.sum() / (q * (q - 1)) if q > 1 else 0.0
        expected = scale * float((shares * (1 - shares)).sum())
        expected_i = scale * (table @ (1 - shares)) / raters
    elif chance == "fleiss":
        expected = float(shares @ w @ shares)
        expected_i = table @ ((w + w.T) @ shares / 2) / raters
    else:
        expected, expected_i = 0.0, np.zeros(n)
    if expected >= 1 - 1e-12:
        raise UndefinedStatistic(f"{name} is undefined: every answer is the same")
    value = (observed - expected) / (1 - expected)

    # Each unit's linearised contribution; its spread over units gives the variance.
    contribution = (n / n_paired) * (agreement_i - expected * paired) / (1 - expected)
    contribution -= 2 * (1 - value) * (expected_i - expected) / (1 - expected)
    variance = float(((contribution - value) ** 2).sum()) / (n * (n - 1))
    bounds = (0.0, 1.0) if chance == "none" else (-1.0, 1.0)
    return t_interval(name, float(value), variance**0.5, n, bounds=bounds, kind="gwet")


def _positions(
    categories: Sequence[Value], weights: weighting.Weights, given: Sequence[Value] | None
) -> np.ndarray:
    """Numbers to weigh distances by: the answers themselves if numeric, else their rank."""
    if all_numeric(categories):
        return np.array(categories, dtype=float)
    if weights != "identity" and given is None:
        raise AgreementError(f"{weights} weights need the categories in order")
    return np.arange(1, len(categories) + 1, dtype=float)
