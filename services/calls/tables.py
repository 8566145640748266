"""The calls table: one row per recording object."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import false

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class CallStatus:
    """The stages a call passes through; ``failed`` carries a ``failure_reason``."""

    RECEIVED = "received"
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    SCORED = "scored"
    FAILED = "failed"

    ALL = (RECEIVED, TRANSCRIBING, TRANSCRIBED, SCORED, FAILED)


class Call(Base):
    """A recording in object storage and what zhijian knows about it."""

    __tablename__ = "calls"
    __table_args__ = (
        # Ingesting the same object version twice (upload, event, reconciler) is one call.
        UniqueConstraint("bucket", "object_key", "object_version", name="uq_calls_object"),
        # A recording is one call by its content, whatever its name or key: the same bytes
        # from the same source call (external id, '' where none was given) are registered once.
        UniqueConstraint("bucket", "content_sha256", "content_scope", name="uq_calls_content"),
        Index("ix_calls_status_id", "status", "id"),
        Index("ix_calls_agent_id_id", "agent_id", "id"),
        Index("ix_calls_team_id", "team", "id"),
        Index("ix_calls_started_at_id", "started_at", "id"),
        Index("ix_calls_external_id", "external_id"),
        Index("ix_calls_flagged_id", "flagged", "id"),
        # An agent's or a team's calls in a time window, by call start (services/calls/paging.py).
        Index("ix_calls_agent_id_started_at", "agent_id", "started_at", "id"),
        Index("ix_calls_team_started_at", "team", "started_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(255))
    object_key: Mapped[str] = mapped_column(String(1024))
    # The S3 version id when the bucket is versioned, else the ETag.
    object_version: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    # SHA-256 of the recording's bytes (None: not known, e.g. announced but never stored).
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # The source's external id the content identity is scoped to; '' where none was given.
    content_scope: Mapped[str] = mapped_column(String(255), default="", server_default="")
    source: Mapped[str] = mapped_column(String(16))  # upload | s3-event | reconcile

    external_id: Mapped[str | None] = mapped_column(String(255))
    agent_id: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(255))
    queue: Mapped[str | None] = mapped_column(String(255))
    direction: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    # {"agent": 0, "customer": 1}; {} for mono; None: decided from the file (stereo: 0 agent).
    channel_map: Mapped[dict[str, int] | None] = mapped_column(JSONType)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    status: Mapped[str] = mapped_column(String(32), default=CallStatus.RECEIVED)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    # While ``transcribing``: when the worker holding the call last said it is alive. A call
    # whose worker stops reporting for the lease (ZHIJIAN_TRANSCRIPTION_LEASE_S) is requeued.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # host:pid of the process holding that lease: one found dead on this host frees it at once.
    leased_by: Mapped[str | None] = mapped_column(String(255))
    duration_s: Mapped[float | None] = mapped_column(Float)
    channels: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    asr_model: Mapped[str | None] = mapped_column(String(255))
    # Mono recordings: how the roles were found ({"method", "confidence", "reason"}).
    speaker_roles: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The copy of the recording bleeped over PII (ZHIJIAN_REDACT_AUDIO), for roles not to hear it.
    redacted_key: Mapped[str | None] = mapped_column(String(1024))
    # Set by the latest scoring: the call needs a person to look at it.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
