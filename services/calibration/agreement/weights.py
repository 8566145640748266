"""Agreement weights for graded answers: how much two different answers still agree.

Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., ch. 3. Numeric categories are used as
their values; other categories by their rank (1, 2, 3 …), as AgreeStat does. Every weight is 1 on
the diagonal and 0 for the two ends of the scale.
"""

from typing import Literal

import numpy as np

Weights = Literal["identity", "ordinal", "linear", "quadratic", "radical", "ratio"]
WEIGHTS: tuple[Weights, ...] = ("identity", "ordinal", "linear", "quadratic", "radical", "ratio")


def matrix(name: Weights, values: np.ndarray) -> np.ndarray:
    """The q × q weights for categories with these values (in order)."""
    q = len(values)
    if name == "identity" or q < 2:
        return np.eye(q)
    distance = np.abs(values[:, None] - values[None, :])
    span = values.max() - values.min()
    if name == "ordinal":
        # Counts the pairs of categories between two answers: C(|k − l| + 1, 2), by rank.
        ranks = np.arange(q)
        steps = np.abs(ranks[:, None] - ranks[None, :])
        between = (steps + 1) * steps / 2
        return 1 - between / between.max()
    if name == "linear":
        return 1 - distance / span
    if name == "quadratic":
        return 1 - (distance / span) ** 2
    if name == "radical":
        return 1 - np.sqrt(distance) / np.sqrt(span)
    if name == "ratio":
        total = values[:, None] + values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(total == 0, 0.0, distance / total)
        return 1 - relative**2 / (span / (values.max() + values.min())) ** 2
    raise ValueError(f"unknown weights {name!r}; one of {', '.join(WEIGHTS)}")
