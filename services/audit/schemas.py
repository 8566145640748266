"""The audit log as the API returns it."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.types import UtcDatetime


class AuditOut(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    username: str
    action: str
    call_id: int | None
    address: str | None
    detail: dict[str, Any]
