"""QA workflow: sampling, rotation, reviews, evaluations, disputes, the discipline ladder and
notifications."""

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
    # Work in progress (hit verdicts, manual item scores, comments) until it is submitted.
    draft: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
    why: Mapped[str] = mapped_column(Text)  # what made this version: review, correction, dispute
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Lifecycle, not content: these are the only columns that change after release.
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(String(150))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_by: Mapped[int | None] = mapped_column(BigInteger)


class DisputeStatus:
    """Where a dispute stands; the decision names what happens to the inspector's judgement."""

    OPEN = "open"
    UPHELD = "upheld"  # the judgement stands; the violation counts
    OVERTURNED = "overturned"  # the agent is right; the item is re-scored


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
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(150))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    result_evaluation_id: Mapped[int | None] = mapped_column(BigInteger)


class DisciplineRecord(Base):
    """A confirmed violation placed on the discipline ladder.

    Derived data: services/qa/discipline.py rebuilds an agent's records from the evaluations.
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
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    prior: Mapped[int] = mapped_column(Integer)  # earlier violations counted in the window
    critical: Mapped[bool] = mapped_column()
    tier: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column()
    amount: Mapped[float] = mapped_column()
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)


class Notification(Base):
    """Something a person should know: shown in the API, and posted to a webhook if set."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user", "user_id", "read_at", "id"),
        Index("ix_notifications_delivery", "delivered_at", "attempts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[dict[str, Any]] = mapped_column(JSONType)  # ids of what it is about
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
