"""What QA tells the calls: which calls it has under review.

An inspector sees the calls assigned to them for review, and sampling leaves out the calls QA
has already; both are reviews, which build on calls, so a call from calls to qa would close a
circle. services/qa/reviews/tables.py registers the source here and services/qa/__init__.py
imports it, so every process that uses QA has it; in one that does not, no call is under review.
"""

from collections.abc import Callable

from sqlalchemy import Select, false, select

from services.calls.tables import Call

UnderReview = Callable[[int | None], Select[int]]
_sources: list[UnderReview] = []


def on_under_review(source: UnderReview) -> None:
    """Sets where the calls under review come from (one source: QA's reviews)."""
    _sources[:] = [source]


def under_review(inspector_id: int | None = None) -> Select[int]:
    """The ids of calls with a review, open or submitted; with ``inspector_id``, only those
    assigned to that inspector."""
    if not _sources:
        return select(Call.id).where(false())
    return _sources[0](inspector_id)
