"""The audit log: append-only, one row per sensitive action (a listen, a deletion …)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class AuditEntry(Base):
    """Who did what to which object, when and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_action_id", "action", "id"),
        Index("ix_audit_log_call_id", "call_id", "id"),
        Index("ix_audit_log_username_id", "username", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    username: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(64))  # e.g. call.listen, call.delete
    call_id: Mapped[int | None] = mapped_column(BigId)
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
