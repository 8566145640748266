"""Notifications: a row per recipient in the database (read through the API), and each one
POSTed to ``ZHIJIAN_NOTIFY_WEBHOOK_URL`` by a periodic job that retries until it is accepted."""

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable

import httpx
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import NotFound
from services.i18n import Message, _, is_message, render
from services.notifications.tables import Notification
from services.people.service import Role, User

log = logging.getLogger(__name__)

REVIEW_ASSIGNED = "review_assigned"
EVALUATION_RELEASED = "evaluation_released"
DISPUTE_OPENED = "dispute_opened"
DISPUTE_DECIDED = "dispute_decided"
TIER_REACHED = "tier_reached"
MAX_ATTEMPTS = 10
SIGNATURE_HEADER = "X-Zhijian-Signature"


def add(
    *,
    db_session: Session,
    kind: str,
    user_ids: Iterable[int],
    subject: dict,
    message: str | Message,
) -> None:
    """Adds one notification per recipient (committed with the change it is about); a
    Message (``N_(...)``) is read in each reader's language."""
    wording = message if is_message(message) else None
    text = render(message, "en") if isinstance(message, dict) else message
    for user_id in sorted(set(user_ids)):
        db_session.add(
            Notification(kind=kind, user_id=user_id, subject=subject, message=text, wording=wording)
        )


def text_of(note: Notification, language: str | None = None) -> str:
    """A notification's message in ``language`` (else the current one)."""
    return render(note.wording, language) if note.wording else note.message


def agents(*, db_session: Session, agent_id: str | None) -> list[int]:
    """The users who are this agent."""
    if not agent_id:
        return []
    return list(
        db_session.scalars(select(User.id).where(User.agent_id == agent_id, User.active.is_(True)))
    )


def deciders(*, db_session: Session, team: str | None) -> list[int]:
    """Who decides a dispute: the team's leads and every QA manager."""
    leads = (User.role == Role.TEAM_LEAD) & (User.team == team) if team else false()
    return list(
        db_session.scalars(
            select(User.id).where(User.active.is_(True), or_(User.role == Role.QA_MANAGER, leads))
        )
    )


def mine(*, db_session: Session, user_id: int, unread: bool, limit: int) -> list[Notification]:
    """A person's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return list(db_session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def mark_read(*, db_session: Session, user_id: int, notification_id: int) -> Notification:
    """Marks one of a person's notifications read (once); NotFound for anyone else's."""
    note = db_session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound(
            _("notification {notification_id} does not exist", notification_id=notification_id)
        )
    if note.read_at is None:
        note.read_at = utcnow()
        db_session.flush()
    return note


def payload(note: Notification, username: str) -> dict:
    """What the webhook receives."""
    return {
        "id": note.id,
        "kind": note.kind,
        "recipient": username,
        "subject": note.subject,
        "message": text_of(note),
        "created_at": note.created_at.isoformat(),
    }


def deliver_pending(
    *, db_session: Session, url: str, secret: str | None, limit: int = 200, timeout_s: float = 5
) -> int:
    """POSTs undelivered notifications, oldest first; returns how many the receiver accepted.

    A failed post is retried on the next run, up to MAX_ATTEMPTS; the receiver should treat the
    notification id as an idempotency key, since a post can succeed without us hearing so (or
    without the batch's transaction being committed, if the worker dies).
    """
    pending = db_session.execute(
        select(Notification, User.username)
        .join(User, User.id == Notification.user_id)
        .where(Notification.delivered_at.is_(None), Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    delivered = 0
    with httpx.Client(timeout=timeout_s) as client:
        for note, username in pending:
            body = json.dumps(payload(note, username), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
            if secret:
                digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                headers[SIGNATURE_HEADER] = f"sha256={digest}"
            note.attempts += 1
            try:
                answer = client.post(url, content=body, headers=headers)
                ok = answer.is_success
            except httpx.HTTPError as exc:
                log.warning("notification %s not delivered: %s", note.id, exc)
                ok = False
            if ok:
                note.delivered_at = utcnow()
                delivered += 1
    db_session.flush()
    return delivered
