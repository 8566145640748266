"""QA workflow: sampling plans, their runs and the calls each run picked (with why)."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.calls.tables import utcnow
from services.db import Base, BigId, JSONType


class SamplingPlan(Base):
    """Which calls people review: N per agent per period, risk first, spread over the period."""

    __tablename__ = "sampling_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    # The whole validated plan (services/qa/schemas.py PlanSpec), so a run can be repeated.
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SamplingRun(Base):
    """One plan applied to one period; scheduled runs are unique per plan and period."""

    __tablename__ = "sampling_runs"
    __table_args__ = (UniqueConstraint("plan_id", "period_start", name="uq_sampling_runs_period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sampling_plans.id", ondelete="CASCADE"))
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seed: Mapped[int] = mapped_column(BigInteger)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the plan as it was when run
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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


class RotationPeriod(Base):
    """One rotation period's plan; earlier periods are kept as history."""

    __tablename__ = "rotation_periods"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True), unique=True)
    end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RotationAssignment(Base):
    """Which inspector watches which area in a period, and the workload expected there."""

    __tablename__ = "rotation_assignments"
    __table_args__ = (
        UniqueConstraint("period_id", "area_id", name="uq_rotation_assignments_area"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_periods.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workload: Mapped[float] = mapped_column(default=0.0)


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
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_runs.id", ondelete="SET NULL"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN)
    priority: Mapped[int] = mapped_column(Integer)  # 0: risky (flagged …) first, 1: random
    reason: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
