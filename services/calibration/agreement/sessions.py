"""Calibration session results as plain data, and pooling them over a rolling window.

A session's calls are scored blind by several inspectors and by an expert whose answers are the
gold standard. Small sessions (3–5 calls) say little alone, so statistics are computed on the
sessions of a rolling window (90 days by default), per item, per inspector or per team: a call
scored in two sessions is two units.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.calibration.agreement.ratings import AgreementError, Value

WINDOW_DAYS = 90


@dataclass(frozen=True)
class Answer:
    """One rater's answer to one scorecard item of one call (None: not answered)."""

    call_id: str
    item_id: str
    rater: str
    value: Value


@dataclass(frozen=True)
class Total:
    """One rater's total score of one call."""

    call_id: str
    rater: str
    score: float


@dataclass(frozen=True)
class SessionResult:
    """A calibration session after the reveal: the inspectors' blind answers and the expert's."""

    session_id: str
    held_at: datetime
    team: str
    expert: str
    max_score: float
    answers: tuple[Answer, ...] = ()
    totals: tuple[Total, ...] = ()

    def __post_init__(self) -> None:
        if self.held_at.tzinfo is None:
            raise AgreementError(f"session {self.session_id}: held_at needs a time zone")
        if self.max_score <= 0:
            raise AgreementError(f"session {self.session_id}: max_score must be positive")

    @property
    def inspectors(self) -> tuple[str, ...]:
        """Everyone who scored in the session except the expert, sorted."""
        raters = {a.rater for a in self.answers} | {t.rater for t in self.totals}
        return tuple(sorted(raters - {self.expert}))


@dataclass(frozen=True)
class Matrix:
    """Pooled answers: one row per (session, call), one column per rater; None where missing."""

    raters: tuple[str, ...]
    units: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Value, ...], ...]


def in_window(
    sessions: Iterable[SessionResult],
    *,
    as_of: datetime,
    days: int = WINDOW_DAYS,
    team: str | None = None,
) -> list[SessionResult]:
    """The sessions held in the `days` up to `as_of` (of one team if given), oldest first."""
    if as_of.tzinfo is None:
        raise AgreementError("as_of needs a time zone")
    start = as_of - timedelta(days=days)
    chosen = [
        s for s in sessions if start < s.held_at <= as_of and (team is None or s.team == team)
    ]
    return sorted(chosen, key=lambda s: (s.held_at, s.session_id))


def item_matrix(
    sessions: Sequence[SessionResult], *, item_id: str, raters: Sequence[str] | None = None
) -> Matrix:
    """The inspectors' answers to one item (the expert left out unless named in `raters`)."""
    cells = {
        (s.session_id, a.call_id, a.rater): a.value
        for s in sessions
        for a in s.answers
        if a.item_id == item_id
    }
    return _matrix(sessions, cells, raters)


def total_matrix(
    sessions: Sequence[SessionResult], *, raters: Sequence[str] | None = None
) -> Matrix:
    """The inspectors' total scores (the expert left out unless named in `raters`)."""
    cells: dict[tuple[str, str, str], Value] = {
        (s.session_id, t.call_id, t.rater): t.score for s in sessions for t in s.totals
    }
    return _matrix(sessions, cells, raters)


def against_expert(
    sessions: Sequence[SessionResult], *, inspector: str
) -> tuple[list[float], list[float]]:
    """The inspector's totals and the expert's, call by call, for the calls both scored."""
    scores, gold = [], []
    for s in sessions:
        expert = {t.call_id: t.score for t in s.totals if t.rater == s.expert}
        for t in s.totals:
            if t.rater == inspector and t.call_id in expert:
                scores.append(t.score)
                gold.append(expert[t.call_id])
    return scores, gold


def answers_against_expert(
    sessions: Sequence[SessionResult], *, inspector: str, items: Collection[str] | None = None
) -> list[tuple[Value, Value]]:
    """(inspector's answer, expert's answer) per call and item, for the items given or all."""
    pairs = []
    for s in sessions:
        expert = {(a.call_id, a.item_id): a.value for a in s.answers if a.rater == s.expert}
        pairs += [
            (a.value, expert[(a.call_id, a.item_id)])
            for a in s.answers
            if a.rater == inspector
            and (items is None or a.item_id in items)
            and (a.call_id, a.item_id) in expert
        ]
    return pairs


def _matrix(
    sessions: Sequence[SessionResult],
    cells: dict[tuple[str, str, str], Value],
    raters: Sequence[str] | None,
) -> Matrix:
    experts = {s.expert for s in sessions}
    columns = (
        tuple(raters) if raters is not None else tuple(sorted({r for _, _, r in cells} - experts))
    )
    units = tuple(dict.fromkeys((session, call) for session, call, _ in cells))
    rows = tuple(tuple(cells.get((s, c, r)) for r in columns) for s, c in units)
    return Matrix(columns, units, rows)
