"""Transcript turns: one party speaking without a long pause."""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class Turn(Base):
    """One turn of a call's transcript, with its word timings."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("call_id", "idx", name="uq_turns_call_idx"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # agent | customer | unknown
    channel: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    # [{"w": "你好", "start": 1.2, "end": 1.5, "p": 0.93}, ...]
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    confidence: Mapped[float] = mapped_column(Float)
    # How sure the role is, on a mono recording whose voices were told apart; None on stereo.
    role_confidence: Mapped[float | None] = mapped_column(Float)
    # Text analysis done once here so that scoring is lookups (services/text/analysis.py).
    norm: Mapped[str | None] = mapped_column(Text)
    word_edges: Mapped[str | None] = mapped_column(Text)  # text.word_edges of ``norm``
    units: Mapped[int | None] = mapped_column(Integer)
    sentiment: Mapped[dict[str, float] | None] = mapped_column(JSONType)
    # Masked PII: [{"type": "PHONE", "start": 12.3, "end": 15.1}]; the text holds [PHONE].
    redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    unredacted_text: Mapped[str | None] = mapped_column(Text)  # only with ZHIJIAN_KEEP_UNREDACTED


class ChannelActivity(Base):
    """Where one party of a call speaks (voice activity), and how loud: input to the metrics."""

    __tablename__ = "channel_activity"
    # Both parties of a mono recording are on channel 0.
    __table_args__ = (
        UniqueConstraint(
            "call_id", "channel", "role", name="uq_channel_activity_call_channel_role"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    channel: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    # [[start, end], ...] in seconds
    regions: Mapped[list[list[float]]] = mapped_column(JSONType, default=list)
    loudness_dbfs: Mapped[float | None] = mapped_column(Float)


class Voiceprint(Base):
    """A person's enrolled voice, which tells the agent's voice apart on mono recordings.

    A voiceprint is biometric data: it is made only when someone enrolls the agent on purpose,
    is never returned by the API, is deleted on request and goes with its user.
    """

    __tablename__ = "voiceprints"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    embedding: Mapped[list[float]] = mapped_column(JSONType)  # unit length, the voice encoder's
    speech_s: Mapped[float] = mapped_column(Float)  # how much speech it was made from
    enrolled_by: Mapped[str] = mapped_column(String(255))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
