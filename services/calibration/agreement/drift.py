"""Each inspector's course over sessions against the expert, and who needs recalibration.

A call is within tolerance when the inspector's total is within ±`tolerance` of the scorecard's
maximum of the expert's (±10 points of 100 by default, the usual industry figure); a session is
outside tolerance for an inspector when fewer than `min_within` of their calls were (80 % by
default: with 4 calls, one call off is already too many). Outside tolerance in `outside` of their
last `last` sessions (2 of 3) flags the inspector for recalibration: one bad session is noise, a
second one in three is a pattern.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from services.calibration.agreement.bias import bias
from services.calibration.agreement.chance_corrected import percent_agreement
from services.calibration.agreement.ratings import (
    Estimate,
    UndefinedStatistic,
    Value,
    in_order_seen,
)
from services.calibration.agreement.sessions import (
    SessionResult,
    against_expert,
    answers_against_expert,
)


@dataclass(frozen=True)
class Standing:
    """How one inspector scored in one session against the expert."""

    session_id: str
    held_at: datetime
    calls: int
    bias: Estimate | None  # None with fewer than two calls
    within_tolerance: float  # share of calls within ±tolerance of the expert's total
    item_agreement: Estimate | None  # raw agreement with the expert's item answers
    outside_tolerance: bool


@dataclass(frozen=True)
class Recalibration:
    """Whether an inspector is flagged, and the recent sessions that decided it."""

    inspector: str
    flagged: bool
    recent: tuple[Standing, ...]


def series(
    sessions: Iterable[SessionResult],
    *,
    inspector: str,
    items: Collection[str] | None = None,
    tolerance: float = 0.10,
    min_within: float = 0.8,
) -> list[Standing]:
    """The inspector's standing in each session they scored totals in, oldest first.

    Item agreement is over the `items` given (yes/no items, say), or all of them.
    """
    standings = []
    for s in sorted(sessions, key=lambda s: (s.held_at, s.session_id)):
        scores, gold = against_expert([s], inspector=inspector)
        if not scores:
            continue
        limit = tolerance * s.max_score
        within = sum(abs(x - g) <= limit for x, g in zip(scores, gold, strict=True)) / len(scores)
        pairs = answers_against_expert([s], inspector=inspector, items=items)
        standings.append(
            Standing(
                session_id=s.session_id,
                held_at=s.held_at,
                calls=len(scores),
                bias=bias(scores, gold) if len(scores) >= 2 else None,
                within_tolerance=within,
                item_agreement=_agreement(pairs),
                outside_tolerance=within < min_within,
            )
        )
    return standings


def recalibration(
    sessions: Iterable[SessionResult],
    *,
    items: Collection[str] | None = None,
    tolerance: float = 0.10,
    min_within: float = 0.8,
    outside: int = 2,
    last: int = 3,
) -> dict[str, Recalibration]:
    """Every inspector's flag: outside tolerance in `outside` of their last `last` sessions."""
    sessions = list(sessions)
    inspectors = sorted({i for s in sessions for i in s.inspectors})
    flags = {}
    for inspector in inspectors:
        course = series(
            sessions, inspector=inspector, items=items, tolerance=tolerance, min_within=min_within
        )
        recent = course[-last:]
        flagged = sum(st.outside_tolerance for st in recent) >= outside
        flags[inspector] = Recalibration(inspector, flagged, tuple(recent))
    return flags


def _agreement(pairs: list[tuple[Value, Value]]) -> Estimate | None:
    try:
        return percent_agreement(pairs, categories=in_order_seen(pairs))
    except UndefinedStatistic:
        return None
