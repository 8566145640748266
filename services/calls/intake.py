"""Taking uploaded recordings in: stored once by their content, never over what is stored."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import storage
from services.calls import identity, recordings
from services.calls import service as calls_service
from services.calls.schemas import CallMetadata
from services.calls.tables import Call


def upload_key(
    *, prefix: str, sha256: str, filename: str | None, external_id: str | None = None
) -> str:
    """The object key of an uploaded recording: by content (and the source's external id), so
    the same recording is one object whatever its file name."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in recordings.AUDIO_SUFFIXES:
        suffix = ".audio"
    scoped = f"-{hashlib.sha256(external_id.encode()).hexdigest()[:16]}" if external_id else ""
    return f"{prefix}{sha256[:2]}/{sha256}{scoped}{suffix}"


@dataclass
class Stored:
    """What an upload did: the call, and whether it is new, resubmitted or unchanged."""

    call: Call
    outcome: str  # "created", or identity.SAME / UPDATED / RESUBMITTED

    @property
    def queued(self) -> bool:
        """Whether the call (again) waits for transcription."""
        return self.outcome in ("created", identity.RESUBMITTED)


def store_upload(
    *,
    db_session: Session,
    bucket: str,
    prefix: str,
    filename: str | None,
    sha256: str,
    data: BinaryIO,
    length: int,
    content_type: str,
    metadata: CallMetadata,
    username: str,
    address: str | None = None,
    replace_metadata: bool = False,
) -> Stored:
    """Stores an uploaded recording and its metadata sidecar, then registers the call.

    A recording already registered (by its bytes) is not stored again, and its metadata is
    not overwritten: see ``identity.reupload``.
    """
    key = upload_key(
        prefix=prefix, sha256=sha256, filename=filename, external_id=metadata.external_id
    )
    existing = identity.find(
        db_session=db_session,
        bucket=bucket,
        sha256=sha256,
        scope=identity.scope(metadata),
        or_failed=True,
    ) or _find_key(db_session, bucket, key)
    if existing is not None:
        outcome = identity.reupload(
            db_session=db_session,
            call=existing,
            metadata=metadata,
            replace_metadata=replace_metadata,
            username=username,
            address=address,
        )
        return Stored(existing, outcome)
    # The sidecar goes first: the reconciler must never see the recording without its metadata.
    storage.put_bytes(
        bucket=bucket,
        key=key + recordings.SIDECAR_SUFFIX,
        data=metadata.model_dump_json(exclude_none=True).encode(),
        content_type="application/json",
    )
    info = storage.put_stream(
        bucket=bucket, key=key, data=data, length=length, content_type=content_type
    )
    call, created = calls_service.register(
        db_session=db_session, info=info, source="upload", metadata=metadata, sha256=sha256
    )
    return Stored(call, "created" if created else identity.SAME)


def _find_key(db_session: Session, bucket: str, key: str) -> Call | None:
    """A call of this object key in any version (calls registered before content identity)."""
    return db_session.scalars(
        select(Call).where(Call.bucket == bucket, Call.object_key == key).order_by(Call.id)
    ).first()
