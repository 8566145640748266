"""The discipline ladder's records, derived from the evaluations."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime


class DisciplineRecord(Base):
    """A confirmed violation placed on the discipline ladder.

    Derived data: services/qa/discipline/service.py rebuilds an agent's records from the
    evaluations.
    """

    __tablename__ = "discipline_records"
    __table_args__ = (Index("ix_discipline_records_agent", "agent_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(255))
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    review_id: Mapped[int] = mapped_column(BigInteger)
    call_id: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    ladder: Mapped[str] = mapped_column(String(64))
    counted_as: Mapped[str] = mapped_column(String(128))  # the rule or category counted
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    prior: Mapped[int] = mapped_column(Integer)  # earlier violations counted in the window
    critical: Mapped[bool] = mapped_column()
    tier: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column()
    amount: Mapped[float] = mapped_column()
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
