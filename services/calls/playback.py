"""What a person may hear of a call: the recording, or the bleeped copy for roles that must not
hear personal data; every request is written to the audit log."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services import storage
from services.audit import service as audit_service
from services.calls.tables import Call
from services.config import Settings
from services.people.service import Principal


@dataclass(frozen=True)
class Playback:
    """A short-lived URL to a recording."""

    url: str
    expires_in_s: int


def audio(
    *,
    db_session: Session,
    call: Call,
    principal: Principal,
    address: str | None,
    settings: Settings,
) -> Playback:
    """A short-lived URL to the recording (the bleeped copy for roles outside ``pii_roles``,
    where there is one); every request for one is audited."""
    key = call.object_key
    if call.redacted_key and principal.role not in settings.pii_roles:
        key = call.redacted_key
    ttl_s = settings.playback_url_ttl_s
    url = storage.presigned_get(bucket=call.bucket, key=key, ttl_s=ttl_s)
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="call.listen",
        call_id=call.id,
        address=address,
        detail={"via": principal.via, "ttl_s": ttl_s, "redacted": key != call.object_key},
    )
    return Playback(url, ttl_s)
