"""Reviews of sampled calls and the inspectors' verdicts on machine hits."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session

from services.calls import hooks as calls_hooks
from services.db import Base, BigId, JSONType, UtcDateTime, utcnow
from services.people import names


class ReviewStatus:
    """Where a review stands."""

    OPEN = "open"
    SUBMITTED = "submitted"


class Review(Base):
    """A sampled call assigned to an inspector to review."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("run_id", "call_id", name="uq_reviews_run_call"),
        Index("ix_reviews_inspector_status", "inspector_id", "status", "priority", "id"),
        Index("ix_reviews_call_id", "call_id"),
        # A queue never holds the same call twice.
        Index(
            "uq_reviews_open_call",
            "call_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_runs.id", ondelete="SET NULL"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN)
    priority: Mapped[int] = mapped_column(Integer)  # 0: risky (flagged …) first, 1: random
    reason: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Work in progress (hit verdicts, manual item scores, comments) until it is submitted.
    draft: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The end of the center's day by which the run's plan wants it reviewed
    # (services/qa/sampling/due.py); None: no due date (a re-evaluation, or a plan without one).
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def inspector_name(self) -> str | None:
        """The inspector's display name (else username), for people reading the id."""
        return names.user_name(object_session(self), self.inspector_id)


class HitVerdict(Base):
    """An inspector's verdict on one machine hit: the ground truth of each rule's precision.

    The hit itself is copied, not referenced: re-scoring replaces hit rows, verdicts stay.
    """

    __tablename__ = "hit_verdicts"
    __table_args__ = (
        UniqueConstraint("review_id", "hit_id", name="uq_hit_verdicts_pair"),
        Index("ix_hit_verdicts_rule", "rule_id", "pack"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    hit_id: Mapped[int] = mapped_column(BigInteger)
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    rule_id: Mapped[str] = mapped_column(String(64))
    start: Mapped[float] = mapped_column()
    end: Mapped[float] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(150))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def _under_review(inspector_id: int | None) -> Select[int]:
    query = select(Review.call_id)
    return query if inspector_id is None else query.where(Review.inspector_id == inspector_id)


# Calls learn which calls are under review (an inspector's assigned ones, those sampling skips)
# from here: calls cannot import reviews, which build on them.
calls_hooks.on_under_review(_under_review)
