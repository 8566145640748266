"""Monitor rotation: periods and which inspector watches which area."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, UtcDateTime, utcnow


class RotationPeriod(Base):
    """One rotation period's plan; earlier periods are kept as history."""

    __tablename__ = "rotation_periods"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime, unique=True)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When the inspectors' current areas became this plan's (once, when it came into force).
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


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
