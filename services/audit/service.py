"""Writing and reading the append-only audit log."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import context
from services.audit.tables import AuditEntry

# Where work done by no request (a worker's retention pass) comes from.
INTERNAL = "internal"


def record(
    *,
    db_session: Session,
    action: str,
    username: str | None = None,
    call_id: int | None = None,
    address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Appends one entry to the action's own transaction: the action and its record are
    committed together or not at all, so an action is never done unlogged.

    Who and from where default to the request's (or command's) context: its authenticated
    actor and the client's address.
    """
    now = context.current()
    actor = username or (now.actor if now else None) or INTERNAL
    where = address or (now.address if now else None) or INTERNAL
    entry = AuditEntry(
        username=actor[:150], action=action, call_id=call_id, address=where[:64],
        detail=detail or {},
    )  # fmt: skip
    db_session.add(entry)
    db_session.flush()
    return entry


def get_all(
    *,
    db_session: Session,
    action: str | None = None,
    call_id: int | None = None,
    username: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    """Entries newest first, filtered; ``before`` is the last id of the previous page."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if call_id is not None:
        query = query.where(AuditEntry.call_id == call_id)
    if username:
        query = query.where(AuditEntry.username == username)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return db_session.scalars(query).all()
