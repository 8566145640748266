"""Rating data as the statistics read it, the result they return, and the errors they raise.

Ratings are a matrix: one row per unit (a call, or a call in a session), one column per rater;
``None`` or NaN where a rater gave no answer. An answer is a category ("yes", "no", "na"), a level
(1–5) or a score. "Not applicable" is an answer like any other; only ``None`` is missing.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

Value = str | int | float | None
Rows = Sequence[Sequence[Value]]
Level = Literal["nominal", "ordinal", "interval", "ratio"]


class AgreementError(ValueError):
    """Rating data a statistic cannot use; the message says what is wrong."""


class UndefinedStatistic(AgreementError):
    """The data cannot give the statistic: too few units or raters, or no variation at all."""


@dataclass(frozen=True)
class Estimate:
    """A statistic with the number of units behind it and its 95 % confidence interval."""

    statistic: str
    value: float
    n: int
    low: float
    high: float
    interval: Literal["gwet", "f", "t", "bootstrap"]  # how the interval was found
    p_value: float | None = None


@dataclass(frozen=True)
class Counts:
    """How many raters put each unit into each category (units no one rated are left out)."""

    categories: tuple[Value, ...]
    table: np.ndarray  # units × categories


def is_missing(value: Value) -> bool:
    """Whether an answer is missing: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def in_order_seen(rows: Rows) -> tuple[Value, ...]:
    """The answers given, as first seen: categories for unweighted statistics, where order and
    mixing numbers with text do not matter."""
    return tuple(dict.fromkeys(v for row in rows for v in row if not is_missing(v)))


def count(rows: Rows, *, categories: Sequence[Value] | None = None) -> Counts:
    """Counts the answers per unit and category; categories given keep their order."""
    width = {len(row) for row in rows}
    if len(width) > 1:
        raise AgreementError("every unit needs one answer (or None) per rater")
    seen = {v for row in rows for v in row if not is_missing(v)}
    if categories is None:
        try:
            order = tuple(sorted(seen))  # type: ignore[type-var]
        except TypeError:
            raise AgreementError("answers mix numbers and text; give the categories") from None
    else:
        order = tuple(categories)
        unknown = seen - set(order)
        if unknown:
            raise AgreementError(f"answers not among the categories: {sorted(map(str, unknown))}")
    index = {c: k for k, c in enumerate(order)}
    table = np.zeros((len(rows), len(order)))
    for i, row in enumerate(rows):
        for v in row:
            if not is_missing(v):
                table[i, index[v]] += 1
    return Counts(order, table[table.sum(axis=1) > 0])


def all_numeric(categories: Sequence[Value]) -> bool:
    """Whether every category is a number (True and False are not scores)."""
    return all(isinstance(c, int | float) and not isinstance(c, bool) for c in categories)


def numeric(categories: Sequence[Value], *, purpose: str) -> np.ndarray:
    """The categories as numbers, for statistics that measure distances between answers."""
    if not all_numeric(categories):
        raise AgreementError(f"{purpose} needs numeric answers")
    return np.array(categories, dtype=float)


def t_interval(
    statistic: str,
    value: float,
    se: float,
    n: int,
    *,
    bounds: tuple[float, float],
    kind: Literal["gwet", "t"] = "t",
) -> Estimate:
    """A t-based 95 % interval with n − 1 degrees of freedom, kept within the statistic's range."""
    half = stats.t.ppf(0.975, n - 1) * se
    # No spread at all: any value but 0 is certain.
    p = float(2 * stats.t.sf(abs(value / se), n - 1)) if se > 0 else float(value == 0)
    low, high = max(bounds[0], value - half), min(bounds[1], value + half)
    return Estimate(statistic, value, n, float(low), float(high), kind, p)
