"""The caller's notifications over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth import Auth
from services.api.params import DbSession, Id
from services.notifications import service as notify
from services.notifications.schemas import NotificationOut

router = APIRouter(prefix="/api/v1/notifications", tags=["qa"])


@router.get("", response_model=list[NotificationOut])
def my_notifications(
    db_session: DbSession,
    principal: Auth,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """The caller's notifications, newest first."""
    found = notify.mine(
        db_session=db_session, user_id=principal.user_id, unread=unread, limit=limit
    )
    return [NotificationOut.model_validate(n) for n in found]


@router.post("/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: Id, db_session: DbSession, principal: Auth) -> NotificationOut:
    """Marks one of the caller's notifications read."""
    note = notify.mark_read(
        db_session=db_session, user_id=principal.user_id, notification_id=notification_id
    )
    return NotificationOut.model_validate(note)
