"""Sampling plans, their runs and the calls each run picked."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class SamplingPlan(Base):
    """Which calls people review: N per agent per period, risk first, spread over the period."""

    __tablename__ = "sampling_plans"
    __table_args__ = (
        # A deleted plan's name may be used again.
        Index(
            "uq_sampling_plans_live_name",
            "name",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # The whole validated plan (services/qa/sampling/schemas.py PlanSpec), so a run can be repeated.
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(default=True)  # paused plans do not run on schedule
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A plan its runs refer to is kept when deleted, so that the runs still say what they were.
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SamplingRun(Base):
    """One plan applied to one period; scheduled runs are unique per plan and period."""

    __tablename__ = "sampling_runs"
    __table_args__ = (UniqueConstraint("plan_id", "period_start", name="uq_sampling_runs_period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sampling_plans.id", ondelete="CASCADE"))
    period_start: Mapped[datetime] = mapped_column(UtcDateTime)
    period_end: Mapped[datetime] = mapped_column(UtcDateTime)
    seed: Mapped[int] = mapped_column(BigInteger)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the plan as it was when run
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SampledCall(Base):
    """A call a run picked for review, and why."""

    __tablename__ = "sampled_calls"
    __table_args__ = (
        UniqueConstraint("run_id", "call_id", name="uq_sampled_calls_pair"),
        Index("ix_sampled_calls_call_id", "call_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("sampling_runs.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # risk | random
    reason: Mapped[str] = mapped_column(Text)
