"""Scoring results: metrics per call; rule results, hits and scores per call and pack version."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONDocument, UtcDateTime, utcnow


class CallMetrics(Base):
    """A call's conversation metrics (independent of any pack)."""

    __tablename__ = "call_metrics"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RuleStatus(Base):
    """One rule on one call under one pack version: hit, pass or not_measurable (with why)."""

    __tablename__ = "rule_results"
    __table_args__ = (
        UniqueConstraint("call_id", "pack", "pack_version", "rule_id", name="uq_rule_results_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    rule_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)


class RuleHit(Base):
    """Evidence of a rule hit: where in the call, who, which turns, what was said."""

    __tablename__ = "hits"
    __table_args__ = (
        Index("ix_hits_call_pack", "call_id", "pack", "pack_version"),
        Index("ix_hits_category", "category"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    rule_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(16))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    turn_ids: Mapped[list[int]] = mapped_column(JSONDocument, default=list)
    text: Mapped[str] = mapped_column(Text, default="")  # what was said, or ``message`` in English
    # What the evidence shows, to read in any language (services.i18n.Message); None: ``text``.
    message: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    rule_name: Mapped[dict[str, str] | None] = mapped_column(JSONDocument)  # per language


class CallScore(Base):
    """A call's machine score under one pack version; older versions' scores are kept."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("call_id", "pack", "pack_version", name="uq_scores_key"),
        Index("ix_scores_call_created", "call_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    total: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    auto_failed: Mapped[bool] = mapped_column(Boolean)
    flagged: Mapped[bool] = mapped_column(Boolean)
    # Messages (services.i18n); scores made before hold plain text in the scorer's language.
    reasons: Mapped[list[Any]] = mapped_column(JSONDocument, default=list)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
