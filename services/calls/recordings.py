"""Recordings in the bucket: which objects are recordings (not sidecars or derived copies),
their metadata (user metadata or a JSON sidecar), registering them from S3 event notifications
and the reconciler, and the object keys an upload may use."""

import json
import re
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import storage
from services.calls import identity
from services.calls.schemas import CallMetadata
from services.calls.service import find_object, register
from services.calls.tables import Call, CallStatus
from services.db import utcnow
from services.errors import InvalidInput, ObjectMissing
from services.i18n import N_, Message, _, render, stored
from services.validation import wording_of

AUDIO_SUFFIXES = frozenset(
    [
        ".wav",
        ".mp3",
        ".amr",
        ".ogg",
        ".opus",
        ".oga",
        ".flac",
        ".m4a",
        ".aac",
        ".wma",
        ".gsm",
        ".webm",
        ".mp4",
        ".3gp",
        ".audio",
    ]
)
SIDECAR_SUFFIX = ".json"
# What zhijian derives from a recording (the bleeped copy) lives under this prefix, which no
# ingestion path registers: a derived object is never a call of its own.
DERIVED_PREFIX = "redacted/"
SIDECAR_LIMIT = 64 * 1024
METADATA_KEY = "zhijian-metadata"


def is_recording_key(key: str) -> bool:
    """Whether an object key is a recording (not a sidecar, a derived copy or a stray file)."""
    return not key.startswith(DERIVED_PREFIX) and Path(key).suffix.lower() in AUDIO_SUFFIXES


def derived_key(call: Call, suffix: str) -> str:
    """The key of an object derived from a call's recording, under the derived prefix."""
    return f"{DERIVED_PREFIX}{call.object_key}{suffix}"


def ingest_object(
    *, db_session: Session, bucket: str, key: str, source: str, event_version: str | None = None
) -> tuple[Call, bool]:
    """Registers an object found in the bucket; a vanished object or bad metadata ends failed."""
    try:
        info = storage.stat(bucket=bucket, key=key)
    except ObjectMissing:
        if event_version is None:
            raise
        info = storage.ObjectInfo(bucket, key, event_version, 0, {})
        reason = f"the recording s3://{bucket}/{key} was announced but is not in the bucket"
        return register(
            db_session=db_session, info=info, source=source, metadata=None, failure=reason
        )
    known = find_object(db_session, info)
    if known is not None:
        return known, False
    sha256 = identity.digest(bucket=bucket, key=key)
    try:
        metadata = object_metadata(info)
    except InvalidMetadata as exc:
        return register(
            db_session=db_session,
            info=info,
            source=source,
            metadata=None,
            failure=stored(exc.wording),
            sha256=sha256,
        )
    return register(
        db_session=db_session, info=info, source=source, metadata=metadata, sha256=sha256
    )


def object_metadata(info: storage.ObjectInfo) -> CallMetadata:
    """Metadata of a bucket object: from its user metadata, else from a ``<key>.json`` sidecar."""
    where = f"s3://{info.bucket}/{info.key}"
    try:
        if METADATA_KEY in info.metadata:
            return CallMetadata.model_validate_json(info.metadata[METADATA_KEY])
        fields = {k.replace("-", "_"): v for k, v in info.metadata.items()}
        known = {f: fields[f] for f in CallMetadata.model_fields if f in fields}
        if known:
            if isinstance(known.get("channels"), str) and known["channels"] != "mono":
                known["channels"] = json.loads(known["channels"])
            return CallMetadata.model_validate(known)
        try:
            raw = storage.read_bytes(
                bucket=info.bucket, key=info.key + SIDECAR_SUFFIX, limit=SIDECAR_LIMIT
            )
        except ObjectMissing:
            return CallMetadata()
        return CallMetadata.model_validate_json(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidMetadata(
            N_(
                "the metadata of {where} is invalid at {place}: {problem}",
                where=where,
                place=".".join(str(p) for p in err["loc"]) or "metadata",
                problem=wording_of(err),
            )
        ) from None
    except ValueError as exc:
        raise InvalidMetadata(
            N_("the metadata of {where} is invalid: {problem}", where=where, problem=str(exc))
        ) from None


class InvalidMetadata(InvalidInput):
    """A bucket object's metadata zhijian cannot take. The reason is a Message: the failed
    call keeps it, and each reader sees it in their language."""

    def __init__(self, wording: Message) -> None:
        super().__init__(render(wording))
        self.wording = wording


def reconcile(
    *, db_session: Session, bucket: str, prefix: str, stale_after: timedelta
) -> tuple[int, list[int], list[int]]:
    """Registers what events missed; returns (objects listed, new call ids, stale ids to requeue).

    Calls still ``received`` after ``stale_after`` lost their queue message (the broker was down
    when they arrived): they are returned so the caller queues them again.
    """
    objects = [
        o for o in storage.list_keys(bucket=bucket, prefix=prefix) if is_recording_key(o.key)
    ]
    known = set(
        db_session.execute(
            select(Call.object_key, Call.object_version).where(Call.bucket == bucket)
        ).tuples()
    )
    created = []
    # In key order (as the event webhook goes): racing registrations lock rows in one order.
    for obj in sorted(objects, key=lambda o: o.key):
        if (obj.key, obj.version) in known:
            continue
        try:
            call, is_new = ingest_object(
                db_session=db_session, bucket=bucket, key=obj.key, source="reconcile"
            )
        except ObjectMissing:
            continue  # deleted since the listing
        if is_new and call.status == CallStatus.RECEIVED:
            created.append(call.id)
    stale = db_session.scalars(
        select(Call.id).where(
            Call.status == CallStatus.RECEIVED, Call.updated_at < utcnow() - stale_after
        )
    ).all()
    return len(objects), created, [i for i in stale if i not in created]


def parse_event_records(payload: object) -> list[tuple[str, str, str | None]]:
    """(bucket, key, version) of each object-created record in an S3/MinIO notification."""
    from urllib.parse import unquote_plus

    if not isinstance(payload, dict) or not isinstance(payload.get("Records"), list):
        raise InvalidInput(_("an S3 event notification is a JSON object with a Records list"))
    found = []
    for index, record in enumerate(payload["Records"]):
        try:
            name = str(record.get("eventName", "s3:ObjectCreated:Put"))
            s3 = record["s3"]
            bucket = str(s3["bucket"]["name"])
            obj = s3["object"]
            key = unquote_plus(str(obj["key"]))
        except (KeyError, TypeError, AttributeError):
            raise InvalidInput(
                _("Records[{index}] lacks s3.bucket.name or s3.object.key", index=index)
            ) from None
        if "ObjectCreated" not in name:
            continue
        version = obj.get("versionId") or obj.get("eTag") or obj.get("etag")
        found.append((bucket, key, str(version).strip('"') if version else None))
    return found


_SAFE_KEY = re.compile(r"^[^\x00-\x1f]{1,1024}$")


def check_key(key: str) -> None:
    """Refuses object keys S3 would not store (control characters, empty, over 1024 bytes) and
    keys that are not one plain path: ``.`` or ``..`` parts, a leading or doubled ``/``, which
    clients and storage read differently."""
    if not _SAFE_KEY.match(key) or len(key.encode()) > 1024:
        raise InvalidInput(_("an object key is 1 to 1024 bytes without control characters"))
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in (".", ".."):
        raise InvalidInput(
            _(
                "the object key {key} is not a plain path (no . or .. parts, no empty ones)",
                key=repr(key),
            )
        )
