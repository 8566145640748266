"""What a person may hear of a call: the recording, or the bleeped copy for roles that must not
hear personal data (never the original in its place); every request is written to the audit log.
"""

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import storage
from services.audit import service as audit_service
from services.calls.service import Call, CallStatus
from services.config import Settings
from services.errors import NotReady
from services.i18n import _, kept
from services.people.service import Principal
from services.speech import links
from services.speech.tables import Turn

# How soon a player should ask again while the call is transcribed and bleeped.
RETRY_AFTER_S = 30


@dataclass(frozen=True)
class Playback:
    """A short-lived link to a recording."""

    url: str
    expires_in_s: int


def heard_key(*, db_session: Session, call: Call, principal: Principal, settings: Settings) -> str:
    """The object ``principal`` may hear: the recording, or for roles outside ``pii_roles`` the
    bleeped copy. With audio redaction on, those roles get the original only when transcription
    found no personal data in it; otherwise NotReady until the bleeped copy exists."""
    if principal.role in settings.pii_roles:
        return call.object_key
    if call.redacted_key:
        return call.redacted_key
    if not settings.redact_audio:
        return call.object_key
    if call.status == CallStatus.RECEIVED:
        raise NotReady(
            _(
                "This recording is not ready for you yet: personal data is bleeped out of it "
                "once the call is transcribed, and the call is waiting for transcription. "
                "Try again in a few minutes."
            ),
            retry_after_s=RETRY_AFTER_S,
        )
    if call.status == CallStatus.TRANSCRIBING:
        raise NotReady(
            _(
                "This recording is not ready for you yet: the call is being transcribed, and "
                "personal data is bleeped out of it after that. Try again in a minute or two."
            ),
            retry_after_s=RETRY_AFTER_S,
        )
    if call.status == CallStatus.FAILED:
        raise NotReady(
            _(
                "This recording cannot be played to you: its transcription failed, so personal "
                "data could not be bleeped out of it ({reason}).",
                reason=kept(call.failure_reason),
            )
        )
    if _personal_data_found(db_session=db_session, call_id=call.id):
        raise NotReady(
            _(
                "This recording cannot be played to you: it holds personal data and was "
                "transcribed before audio redaction was turned on, so there is no bleeped copy."
            )
        )
    return call.object_key  # transcribed, and nothing in it needed bleeping


def audio(
    *,
    db_session: Session,
    call: Call,
    principal: Principal,
    address: str | None,
    base_url: str,
    settings: Settings,
) -> Playback:
    """A short-lived link to what ``principal`` may hear of the call (see ``heard_key``).

    By default the link is the API's own stream under ``ZHIJIAN_PUBLIC_URL`` (else ``base_url``,
    the address the request came to); with ``ZHIJIAN_S3_PUBLIC_ENDPOINT`` set, a presigned S3
    URL for that address. Every request for one is audited.
    """
    key = heard_key(db_session=db_session, call=call, principal=principal, settings=settings)
    ttl_s = settings.playback_url_ttl_s
    if settings.s3_public_endpoint:
        url = storage.presigned_get(bucket=call.bucket, key=key, ttl_s=ttl_s)
    else:
        expires = int(time.time()) + ttl_s
        base = settings.public_url or base_url
        url = links.url(settings=settings, base=base, call_id=call.id, key=key, expires=expires)
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="call.listen",
        call_id=call.id,
        address=address,
        detail={
            "via": principal.via,
            "ttl_s": ttl_s,
            "redacted": key != call.object_key,
            "from": "s3" if settings.s3_public_endpoint else "api",
        },
    )
    return Playback(url, ttl_s)


def _personal_data_found(*, db_session: Session, call_id: int) -> bool:
    """Whether transcription masked personal data anywhere in the call."""
    found = db_session.scalars(select(Turn.redactions).where(Turn.call_id == call_id))
    return any(found)
