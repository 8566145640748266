"""Evaluations: the versioned final score of a reviewed call."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow
from services.people import names


class Evaluation(Base):
    """One version of a reviewed call's final score.

    The content (items, totals) never changes once written: corrections and overturned disputes
    add a version and mark this one superseded. On PostgreSQL a trigger enforces it (0011).
    """

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint("review_id", "version", name="uq_evaluations_version"),
        Index("ix_evaluations_agent", "agent_id", "released_at"),
        Index("ix_evaluations_call_id", "call_id"),
        # One evaluation in force per call: a second review of an evaluated call is a
        # re-evaluation, a new version of the same evaluation (calibration lives elsewhere).
        Index(
            "uq_evaluations_current_call",
            "call_id",
            unique=True,
            postgresql_where=text("superseded_by IS NULL"),
            sqlite_where=text("superseded_by IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    agent_id: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(255))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    total: Mapped[float] = mapped_column()
    maximum: Mapped[float] = mapped_column()
    percent: Mapped[float | None] = mapped_column()
    auto_failed: Mapped[bool] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    # Comments on single turns: [{turn_id, start, end, role, comment}], in the call's order.
    turn_comments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    why: Mapped[str] = mapped_column(Text)  # what made this version: review, correction, dispute
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Lifecycle, not content: these are the only columns that change after release.
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(150))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    superseded_by: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def inspector_name(self) -> str | None:
        """The inspector's display name (else username), for people reading the id."""
        return names.user_name(object_session(self), self.inspector_id)

    @property
    def agent_name(self) -> str | None:
        """The agent's display name (else username), for people reading the agent id."""
        return names.agent_name(object_session(self), self.agent_id)
