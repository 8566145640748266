"""A worker's claim on a call to transcribe: counted deliveries (a recording that kills its
worker ends ``failed``), a lease the worker renews while it works, and giving the claim back.
"""

import logging
import os
import socket
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.calls.service import Call, CallStatus
from services.db import aware, utcnow

log = logging.getLogger(__name__)


def begin(*, db_session: Session, call_id: int, max_deliveries: int, lease_s: float) -> Call | None:
    """Claims a call for transcription; returns None when there is nothing (more) to do.

    The claim is a unit of work of its own, committed before the long transcription starts, so
    that a worker that dies on the recording has counted its delivery. The claim is a lease:
    the worker renews ``heartbeat_at`` while it works (``heartbeat``); a call whose lease is
    current belongs to another worker and is left alone.

    Counts deliveries so that a recording that kills its worker every time (a poison call)
    ends ``failed`` with a reason instead of being redelivered forever.
    """
    call = db_session.get(Call, call_id, with_for_update=True)
    if call is None or call.status not in (CallStatus.RECEIVED, CallStatus.TRANSCRIBING):
        return None
    if leased(call, lease_s=lease_s):
        return None  # a live worker holds it; it is freed if that one dies
    call.deliveries += 1
    if call.deliveries > max_deliveries:
        fail(
            db_session=db_session,
            call=call,
            reason=f"transcription was interrupted {max_deliveries} times (the worker crashed "
            "or was killed each time); the recording may be damaged or too large for the worker",
        )
        return None
    call.status = CallStatus.TRANSCRIBING
    call.heartbeat_at = utcnow()
    call.leased_by = lease_holder()
    db_session.flush()
    return call


def lease_holder() -> str:
    """This process as a lease holder: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def leased(call: Call, *, lease_s: float) -> bool:
    """Whether a live worker holds the call: its lease is current and, when it ran on this
    host, its process still exists (a worker whose pool process was killed frees it at once).
    """
    if call.status != CallStatus.TRANSCRIBING or call.heartbeat_at is None:
        return False
    if aware(call.heartbeat_at) <= utcnow() - timedelta(seconds=lease_s):
        return False
    host, _, pid = (call.leased_by or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # it exists, under another user
    return True


def held(*, db_session: Session, call_id: int, lease_s: float) -> bool:
    """Whether a live worker holds the call now (see ``leased``)."""
    call = db_session.get(Call, call_id)
    return call is not None and leased(call, lease_s=lease_s)


def heartbeat(*, db_session: Session, call_id: int, delivery: int) -> bool:
    """Renews the lease of the worker on ``delivery``; False once it is no longer its call."""
    renewed = db_session.execute(
        update(Call)
        .where(
            Call.id == call_id,
            Call.deliveries == delivery,
            Call.status == CallStatus.TRANSCRIBING,
        )
        .values(heartbeat_at=utcnow(), updated_at=Call.updated_at)
    )
    return bool(getattr(renewed, "rowcount", 0))


def holds(*, db_session: Session, call_id: int, delivery: int) -> bool:
    """Whether the worker on ``delivery`` still holds the call (locks it until commit).

    A worker that lost its lease (the call was requeued while it was silent) must not store
    its result over the one of the worker that took over.
    """
    row = db_session.execute(
        select(Call.status, Call.deliveries).where(Call.id == call_id).with_for_update()
    ).one_or_none()
    return row is not None and row.status == CallStatus.TRANSCRIBING and row.deliveries == delivery


def give_back(*, db_session: Session, call_id: int) -> None:
    """Returns a claim's delivery and its lease: a transient failure (storage away) is not a
    crash, and the retry must find the call free."""
    call = db_session.get(Call, call_id)
    if call is not None:
        call.deliveries -= 1
        call.heartbeat_at = None


def fail(*, db_session: Session, call: Call, reason: str) -> None:
    """Ends a call in ``failed`` with a reason a person can act on."""
    call.status = CallStatus.FAILED
    call.failure_reason = reason
    db_session.flush()
    log.warning("call %s failed: %s", call.id, reason)
