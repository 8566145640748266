"""Content identity: a recording is one call by the SHA-256 of its bytes (in its bucket),
scoped to the source's external id where one is given, whatever its file name or object key.

A second upload of the same recording never rewrites what is stored: with the same metadata
it is the same call; with other metadata it is refused (409), unless the uploader asks for the
change, which is then applied and written to the audit log. A call that failed (bad metadata,
a damaged decode) is resubmitted by uploading its recording again with the fixed metadata.
"""

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import storage
from services.audit import service as audit_service
from services.calls.schemas import CallMetadata
from services.calls.tables import Call, CallStatus
from services.errors import Conflict
from services.i18n import _

# What a re-upload did to the call it matched.
SAME = "same"
UPDATED = "updated"
RESUBMITTED = "resubmitted"


def scope(metadata: CallMetadata | None) -> str:
    """The identity scope of a recording: its source's external id, '' where none is given."""
    return (metadata.external_id or "") if metadata else ""


def find(
    *, db_session: Session, bucket: str, sha256: str, scope: str, or_failed: bool = False
) -> Call | None:
    """The call of these bytes in ``bucket`` from this source call, if registered; else, with
    ``or_failed``, a failed call of the same bytes (to be resubmitted, whatever its scope)."""
    calls = db_session.scalars(
        select(Call).where(Call.bucket == bucket, Call.content_sha256 == sha256).order_by(Call.id)
    ).all()
    same = [c for c in calls if c.content_scope == scope]
    failed = [c for c in calls if c.status == CallStatus.FAILED and or_failed]
    return (same or failed)[0] if same or failed else None


def digest(*, bucket: str, key: str) -> str:
    """SHA-256 of a stored object, read as a stream."""
    hasher = hashlib.sha256()
    for block in storage.stream(bucket=bucket, key=key):
        hasher.update(block)
    return hasher.hexdigest()


def fields(metadata: CallMetadata, *, given_only: bool) -> dict[str, Any]:
    """The call's columns this metadata sets (only those the sender gave, if ``given_only``)."""
    values = {
        "external_id": metadata.external_id,
        "agent_id": metadata.agent_id,
        "team": metadata.team,
        "queue": metadata.queue,
        "direction": metadata.direction,
        "started_at": metadata.started_at,
        "language": metadata.language,
        "channel_map": metadata.channel_map(),
        "extra": metadata.extra,
    }
    if not given_only:
        return values
    given = {"channel_map" if f == "channels" else f for f in metadata.model_fields_set}
    return {name: value for name, value in values.items() if name in given}


def changes(call: Call, metadata: CallMetadata) -> dict[str, list[Any]]:
    """What the given metadata would change on the call: {column: [stored, sent]}."""
    found = {}
    for name, sent in fields(metadata, given_only=True).items():
        stored = getattr(call, name)
        if _comparable(stored) != _comparable(sent):
            found[name] = [_json(stored), _json(sent)]
    return found


def reupload(
    *,
    db_session: Session,
    call: Call,
    metadata: CallMetadata,
    replace_metadata: bool,
    username: str,
    address: str | None = None,
) -> str:
    """Handles a second upload of a registered recording; returns SAME, UPDATED or RESUBMITTED.

    Raises Conflict when the metadata differs and ``replace_metadata`` was not asked for.
    """
    if call.status == CallStatus.FAILED:
        detail = {"changes": changes(call, metadata), "failure_reason": call.failure_reason}
        _apply(call, metadata)
        call.status = CallStatus.RECEIVED
        call.failure_reason = None
        call.deliveries = 0
        call.heartbeat_at = None
        _audit(db_session, call, username, address, "call.resubmit", detail)
        return RESUBMITTED
    found = changes(call, metadata)
    if not found:
        return SAME
    if not replace_metadata:
        raise Conflict(
            _(
                "This recording is already call {call_id}, with other metadata ({fields}). "
                "Nothing was changed. To change its metadata, upload it again with "
                "?replace_metadata=true; the change is written to the audit log.",
                call_id=call.id,
                fields=", ".join(sorted(found)),
            )
        )
    _apply(call, metadata)
    _audit(db_session, call, username, address, "call.metadata", {"changes": found})
    return UPDATED


def _apply(call: Call, metadata: CallMetadata) -> None:
    for name, value in fields(metadata, given_only=True).items():
        setattr(call, name, value)
    if "external_id" in metadata.model_fields_set:
        call.content_scope = scope(metadata)
    if call.source == "upload":
        # The sidecar of an uploaded recording says what the call says.
        storage.put_bytes(
            bucket=call.bucket,
            key=call.object_key + ".json",  # calls.service.SIDECAR_SUFFIX
            data=_metadata_of(call).model_dump_json(exclude_none=True).encode(),
            content_type="application/json",
        )


def _metadata_of(call: Call) -> CallMetadata:
    channels = "mono" if call.channel_map == {} else call.channel_map
    return CallMetadata(
        external_id=call.external_id,
        agent_id=call.agent_id,
        team=call.team,
        queue=call.queue,
        direction=call.direction,
        started_at=call.started_at,
        language=call.language,
        channels=channels,
        extra=call.extra or {},
    )


def _audit(
    db_session: Session,
    call: Call,
    username: str,
    address: str | None,
    action: str,
    detail: dict[str, Any],
) -> None:
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        username=username,
        action=action,
        call_id=call.id,
        address=address,
        detail=detail,
    )


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        from services.db import aware

        return aware(value)
    return value


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
