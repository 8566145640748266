"""Hearing a session's call without learning whose call it is.

A participant gets a short-lived link to the API's own stream under the session and the call's
position: neither the call id nor the object key (which may name the agent) is in it, and never
a presigned S3 URL. The link is signed over the object it plays, as a call's playback link is
(services/speech/links.py), and what one may hear is what ``heard_key`` allows their role (the
bleeped copy where personal data must not be heard). Every request is audited.
"""

import time

from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.calibration.tables import CalibrationCall, CalibrationSession
from services.calls.service import Call
from services.config import Settings
from services.errors import Forbidden
from services.i18n import _
from services.people.service import Principal
from services.speech import links, playback


def stream_path(session_id: int, position: int) -> str:
    """Where the API streams a session's call, below its base URL."""
    return f"/api/v1/calibration/sessions/{session_id}/calls/{position}/audio/stream"


def audio(
    *,
    db_session: Session,
    session: CalibrationSession,
    call: CalibrationCall,
    principal: Principal,
    address: str | None,
    base_url: str,
    settings: Settings,
) -> playback.Playback:
    """A short-lived link to what the principal may hear of the session's call."""
    recording = db_session.get(Call, call.call_id)
    assert recording is not None  # a session's call goes with it (CASCADE)
    key = playback.heard_key(
        db_session=db_session, call=recording, principal=principal, settings=settings
    )
    ttl_s = settings.playback_url_ttl_s
    url = links.url(
        settings=settings,
        base=settings.public_url or base_url,
        call_id=recording.id,
        key=key,
        expires=int(time.time()) + ttl_s,
        path=stream_path(session.id, call.position),
    )
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="calibration.listen",
        call_id=recording.id,
        address=address,
        detail={
            "session_id": session.id,
            "position": call.position,
            "via": principal.via,
            "ttl_s": ttl_s,
            "redacted": key != recording.object_key,
        },
    )
    return playback.Playback(url, ttl_s)


def signed(
    *, db_session: Session, call: CalibrationCall, expires: int, sent: str, settings: Settings
) -> tuple[Call, str]:
    """The recording and object a link to the session's call plays; Forbidden when it has
    expired or was not signed for this call."""
    recording = db_session.get(Call, call.call_id)
    candidates = (
        [k for k in (recording.object_key, recording.redacted_key) if k] if recording else []
    )
    key = links.signed_key(
        settings=settings,
        call_id=call.call_id,
        candidates=candidates,
        expires=expires,
        sent=sent,
        now=time.time(),
    )
    if recording is None or key is None:
        raise Forbidden(_("This playback link has expired or is not valid; ask for a new one."))
    return recording, key
