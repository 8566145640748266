"""Everything a rolling window of sessions says: per item, on total scores, per inspector.

Pooling first and computing once gives small sessions the n they lack on their own; the window
can be limited to one team.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.calibration.agreement.alpha import krippendorff_alpha
from services.calibration.agreement.bias import Leaning, bias, leaning
from services.calibration.agreement.chance_corrected import gwet_ac, percent_agreement
from services.calibration.agreement.icc import icc
from services.calibration.agreement.items import Scale, item_agreement
from services.calibration.agreement.ratings import Estimate, UndefinedStatistic, in_order_seen
from services.calibration.agreement.sessions import (
    WINDOW_DAYS,
    SessionResult,
    against_expert,
    answers_against_expert,
    in_window,
    item_matrix,
    total_matrix,
)


@dataclass(frozen=True)
class InspectorPool:
    """One inspector against the expert over the window."""

    bias: Estimate | None
    leaning: Leaning
    agreement: Estimate | None  # raw agreement with the expert's answers to yes/no items
    ac1: Estimate | None  # the same, corrected for chance (Gwet's AC1)


@dataclass(frozen=True)
class Pool:
    """The statistics of the sessions in a window, of one team or all."""

    as_of: datetime
    days: int
    team: str | None
    sessions: tuple[str, ...]
    items: dict[str, dict[str, Estimate]]
    totals: dict[str, Estimate]
    inspectors: dict[str, InspectorPool]


def pool(
    sessions: Iterable[SessionResult],
    *,
    scales: Mapping[str, Scale],
    as_of: datetime,
    days: int = WINDOW_DAYS,
    team: str | None = None,
    seed: int = 0,
) -> Pool:
    """Pools the window's sessions, then computes each item's, the totals' and each inspector's."""
    chosen = in_window(sessions, as_of=as_of, days=days, team=team)
    items = {
        item: item_agreement(item_matrix(chosen, item_id=item).rows, scale, seed=seed)
        for item, scale in scales.items()
    }
    totals = total_matrix(chosen).rows
    total_stats = {
        "icc_2_1": _defined(icc, totals, form="2,1"),
        "icc_1_1": _defined(icc, totals, form="1,1"),
        "icc_3_1": _defined(icc, totals, form="3,1"),
        "alpha_interval": _defined(krippendorff_alpha, totals, level="interval", seed=seed),
    }
    nominal = {item for item, scale in scales.items() if scale.level == "nominal"}
    inspectors = {
        inspector: _inspector(chosen, inspector, nominal)
        for inspector in sorted({i for s in chosen for i in s.inspectors})
    }
    return Pool(
        as_of=as_of,
        days=days,
        team=team,
        sessions=tuple(s.session_id for s in chosen),
        items=items,
        totals={name: value for name, value in total_stats.items() if value is not None},
        inspectors=inspectors,
    )


def _inspector(sessions: list[SessionResult], inspector: str, items: set[str]) -> InspectorPool:
    """Bias on totals; agreement and AC1 on the answers to the (nominal) items."""
    scores, gold = against_expert(sessions, inspector=inspector)
    pairs = answers_against_expert(sessions, inspector=inspector, items=items)
    shift = _defined(bias, scores, gold)
    answers = in_order_seen(pairs)
    return InspectorPool(
        bias=shift,
        leaning=leaning(shift) if shift is not None else "none",
        agreement=_defined(percent_agreement, pairs, categories=answers),
        ac1=_defined(gwet_ac, pairs, categories=answers),
    )


def _defined(compute: Callable[..., Estimate], *args: Any, **kwargs: Any) -> Estimate | None:
    """The estimate, or None where the pooled data cannot give it (too few units, no variation)."""
    try:
        return compute(*args, **kwargs)
    except UndefinedStatistic:
        return None
