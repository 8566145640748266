"""Disputes: an agent contesting an evaluation item, and the decision."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session

from services.db import Base, BigId, UtcDateTime, utcnow
from services.people import names


class DisputeStatus:
    """Where a dispute stands; the decision names what happens to the inspector's judgement."""

    OPEN = "open"
    UPHELD = "upheld"  # the judgement stands; the violation counts
    OVERTURNED = "overturned"  # the agent is right; the item is re-scored
    CLOSED = "closed"  # a re-evaluation gave the item its points back: nothing left to decide


class Dispute(Base):
    """An agent contesting one evaluation item, and the decision on it."""

    __tablename__ = "disputes"
    __table_args__ = (
        UniqueConstraint("review_id", "item_id", name="uq_disputes_item"),
        Index("ix_disputes_status", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.OPEN)
    opened_by: Mapped[str] = mapped_column(String(150))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(150))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    result_evaluation_id: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def agent_name(self) -> str | None:
        """The agent's display name (else username), for people reading the agent id."""
        return names.agent_name(object_session(self), self.agent_id)
