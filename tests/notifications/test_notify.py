"""Notifications reach a webhook, signed, and are retried until the receiver accepts them."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from services.notifications import service as notify
from services.notifications.tables import Notification
from tests import factories


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver (the outside system we post to), failing while ``down`` is set."""

    got: ClassVar[list[tuple[dict, str | None]]] = []
    raw: ClassVar[bytes] = b""
    down: ClassVar[bool] = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.down:
            self.send_response(503)
        else:
            Receiver.got.append((json.loads(body), self.headers.get(notify.SIGNATURE_HEADER)))
            Receiver.raw = body
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.got, Receiver.down = [], False
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.fixture
def pending(db_session):
    """One undelivered notification, to one agent (named twice)."""
    username = factories.user(db_session, "agent", agent_id="NOTE-1")[0].username
    user_id = notify.agents(db_session=db_session, agent_id="NOTE-1")[0]
    notify.add(
        db_session=db_session,
        kind=notify.EVALUATION_RELEASED,
        user_ids=[user_id, user_id],
        subject={"evaluation_id": 7},
        message="Your call 7 was evaluated: 80/100.",
    )
    db_session.commit()
    return username


def test_a_notification_is_posted_once_with_a_signature_the_receiver_can_check(
    db_session, receiver, pending
):
    sent = notify.deliver_pending(db_session=db_session, url=receiver, secret="s3cret")
    assert sent == 1  # the duplicate recipient was one notification
    body, signature = Receiver.got[0]
    assert body["recipient"] == pending and body["kind"] == "evaluation_released"
    assert body["message"].startswith("Your call 7")
    expected = hmac.new(b"s3cret", Receiver.raw, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert notify.deliver_pending(db_session=db_session, url=receiver, secret=None) == 0


def test_a_failed_post_is_retried_until_accepted_and_given_up_after_the_limit(
    db_session, receiver, pending
):
    Receiver.down = True
    assert notify.deliver_pending(db_session=db_session, url=receiver, secret=None) == 0
    unreachable = "http://127.0.0.1:9/hook"  # nothing listens on the discard port
    assert notify.deliver_pending(db_session=db_session, url=unreachable, secret=None) == 0
    note = db_session.scalar(select(Notification).where(Notification.delivered_at.is_(None)))
    assert note.attempts == 2
    Receiver.down = False
    assert notify.deliver_pending(db_session=db_session, url=receiver, secret=None) == 1
    assert note.delivered_at is not None

    note.delivered_at, note.attempts = None, notify.MAX_ATTEMPTS
    db_session.commit()
    assert notify.deliver_pending(db_session=db_session, url=receiver, secret=None) == 0
