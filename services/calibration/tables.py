"""Calibration sessions: their calls, participants, blind answers, agreed answers, per-pack
tolerances and the second-reviewer choices. Kept apart from reviews and evaluations, so that no
agent's score, ladder, sampling pick or rule precision can ever count a calibration answer."""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class Mode:
    """Whose answers are the gold standard."""

    EXPERT = "expert"
    CONSENSUS = "consensus"  # the facilitator's agreed answers (the participants' median before)


class CalibrationSession(Base):
    """A QA manager's calibration session: 3–5 calls scored blind against a gold standard."""

    __tablename__ = "calibration_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    team: Mapped[str | None] = mapped_column(String(255))  # for pooling per team
    tolerance: Mapped[float] = mapped_column(Float)  # share of the scorecard's maximum
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CalibrationCall(Base):
    """A call of a session, with the form every participant scores (frozen at creation)."""

    __tablename__ = "calibration_calls"
    __table_args__ = (UniqueConstraint("session_id", "call_id", name="uq_calibration_calls_pair"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE")
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # what participants call it: "call 2"
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    weights: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The facilitator's agreed answer after the reveal: item scores, items, total, notes.
    agreed: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Participant(Base):
    """Someone who scores a session's calls: an inspector, or the expert."""

    __tablename__ = "calibration_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_calibration_participants_pair"),
        Index("ix_calibration_participants_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    username: Mapped[str] = mapped_column(String(150))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CalibrationAnswer(Base):
    """One participant's blind answer for one call: the draft and the items and total it gives."""

    __tablename__ = "calibration_answers"
    __table_args__ = (
        UniqueConstraint("session_id", "call_id", "user_id", name="uq_calibration_answers_one"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE")
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    draft: Mapped[dict[str, Any]] = mapped_column(JSONType)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    total: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    missing: Mapped[list[str]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PackTolerance(Base):
    """A pack's tolerance for calibration: a share of the scorecard's maximum (default 10 %)."""

    __tablename__ = "calibration_tolerances"

    pack: Mapped[str] = mapped_column(String(64), primary_key=True)
    tolerance: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(150))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SecondReview(Base):
    """A QA manager's choice: a share of an inspector's reviews get a second reviewer until the
    inspector is back inside tolerance."""

    __tablename__ = "calibration_second_reviews"

    inspector_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    share: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    chosen_by: Mapped[str] = mapped_column(String(150))
    chosen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Since the choice: the inspector's reviews submitted while flagged, and those seconded.
    submitted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seconded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
