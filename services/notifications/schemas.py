"""Notifications out of the API."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.types import UtcDatetime


class NotificationOut(BaseModel):
    """Something to know about."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject: dict[str, Any]
    message: str
    created_at: UtcDatetime
    read_at: UtcDatetime | None
