"""Notifications out of the API."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.notifications.service import text_of
from services.notifications.tables import Notification
from services.types import UtcDatetime


class NotificationOut(BaseModel):
    """Something to know about."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject: dict[str, Any]
    message: str = Field(description="In the reader's language.")
    created_at: UtcDatetime
    read_at: UtcDatetime | None

    @model_validator(mode="before")
    @classmethod
    def _in_readers_language(cls, note: Any) -> Any:
        if isinstance(note, Notification):
            return {name: getattr(note, name) for name in cls.model_fields} | {
                "message": text_of(note)
            }
        return note
