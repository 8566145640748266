"""The statistics that fit an item, chosen by how it is answered, and machine-vs-expert agreement.

Most QA items are yes/no (or not applicable) and nearly always pass: there κ and α collapse
although the raters agree (the prevalence paradox), so raw agreement and Gwet's AC1 lead and α
stands beside them. Graded items get α ordinal and AC2 with ordinal weights; scores α interval or
ratio. A statistic the data leave undefined (too few calls, or α when every answer is the same)
is left out.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from services.calibration.agreement.alpha import krippendorff_alpha
from services.calibration.agreement.chance_corrected import fleiss_kappa, gwet_ac, percent_agreement
from services.calibration.agreement.ratings import (
    Estimate,
    Level,
    Rows,
    UndefinedStatistic,
    Value,
    is_missing,
)


@dataclass(frozen=True)
class Scale:
    """How an item is answered: its level of measurement and its categories, in order."""

    level: Level = "nominal"
    categories: tuple[Value, ...] | None = None


def item_agreement(rows: Rows, scale: Scale, *, seed: int = 0) -> dict[str, Estimate]:
    """The statistics for one item's answers (units × raters), keyed by name."""
    cats, level = scale.categories, scale.level
    measures: dict[str, Callable[[], Estimate]] = {}
    if level == "nominal":
        measures["percent_agreement"] = partial(percent_agreement, rows, categories=cats)
        measures["ac1"] = partial(gwet_ac, rows, categories=cats)
        if all(not is_missing(v) for row in rows for v in row):
            measures["fleiss_kappa"] = partial(fleiss_kappa, rows, categories=cats)
    elif level == "ordinal":
        measures["percent_agreement"] = partial(percent_agreement, rows, categories=cats)
        measures["ac2_ordinal"] = partial(gwet_ac, rows, weights="ordinal", categories=cats)
    measures[f"alpha_{level}"] = partial(
        krippendorff_alpha, rows, level=level, categories=cats, seed=seed
    )
    return _defined(measures)


def machine_vs_expert(
    answers: Mapping[str, Sequence[tuple[Value, Value]]],
    *,
    categories: Sequence[Value] | None = None,
) -> dict[str, dict[str, Estimate]]:
    """Per rule, raw agreement and AC1 between the machine's answer and the expert's."""
    return {
        rule: _defined(
            {
                "percent_agreement": partial(percent_agreement, pairs, categories=categories),
                "ac1": partial(gwet_ac, pairs, categories=categories),
            }
        )
        for rule, pairs in answers.items()
    }


def _defined(measures: Mapping[str, Callable[[], Estimate]]) -> dict[str, Estimate]:
    """The measures the data can give; the others (too few calls, no variation) left out."""
    found = {}
    for name, measure in measures.items():
        try:
            found[name] = measure()
        except UndefinedStatistic:
            continue
    return found
