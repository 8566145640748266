"""Calls: registering recordings (upload, S3 event, reconciler) idempotently, and reading them."""

import base64
import binascii
import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import storage
from services.calls import identity
from services.calls.schemas import CallMetadata
from services.calls.tables import Call, CallStatus
from services.db import utcnow
from services.errors import InvalidInput, NotFound, ObjectMissing
from services.i18n import _
from services.people import service as people_service
from services.people.service import Principal
from services.people.tables import Role
from services.types import MAX_ID

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


def visible_to(*, db_session: Session, principal: Principal | None) -> ColumnElement[bool]:
    """The calls a principal may see (OWASP API1: authorise on the object, not the route).

    Managers, admins and training leads see every call; a team lead their team's; an agent
    their own (by the agent id recordings carry); an inspector the calls assigned to them for
    review and the calls of their current areas. None is the system itself (workers, CLI).
    """
    if principal is None or principal.role in Role.SEE_ALL:
        return true()
    if principal.role == Role.TEAM_LEAD:
        return Call.team == principal.team if principal.team else false()
    if principal.role == Role.AGENT:
        return Call.agent_id == principal.agent_id if principal.agent_id else false()
    if principal.role == Role.INSPECTOR:
        from services.qa.reviews.tables import Review  # qa builds on calls: imported where needed

        mine = people_service.areas(db_session=db_session, area_ids=principal.area_ids)
        queues = sorted({q for a in mine for q in a.queues})
        teams = sorted({t for a in mine for t in a.teams})
        assigned = Call.id.in_(
            select(Review.call_id).where(Review.inspector_id == principal.user_id)
        )
        return or_(assigned, Call.queue.in_(queues), Call.team.in_(teams))
    return false()


def get(*, db_session: Session, call_id: int, principal: Principal | None = None) -> Call | None:
    """Returns a call by id, if the principal may see it."""
    return db_session.scalars(
        select(Call).where(
            Call.id == call_id, visible_to(db_session=db_session, principal=principal)
        )
    ).one_or_none()


def get_or_raise(*, db_session: Session, call_id: int, principal: Principal | None = None) -> Call:
    """Returns a call by id or raises NotFound (also for calls the principal may not see)."""
    call = get(db_session=db_session, call_id=call_id, principal=principal)
    if call is None:
        raise NotFound(_("call {call_id} does not exist", call_id=call_id))
    return call


def get_all(
    *,
    db_session: Session,
    principal: Principal | None = None,
    status: str | None = None,
    agent_id: str | None = None,
    team: str | None = None,
    flagged: bool | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Call], str | None]:
    """Returns one page of calls, newest first, and the cursor of the next page (keyset)."""
    query = (
        select(Call)
        .where(visible_to(db_session=db_session, principal=principal))
        .order_by(Call.id.desc())
        .limit(limit + 1)
    )
    if status:
        query = query.where(Call.status == status)
    if agent_id:
        query = query.where(Call.agent_id == agent_id)
    if team:
        query = query.where(Call.team == team)
    if flagged is not None:
        query = query.where(Call.flagged == flagged)
    if started_from:
        query = query.where(Call.started_at >= started_from)
    if started_to:
        query = query.where(Call.started_at < started_to)
    if cursor:
        query = query.where(Call.id < _decode_cursor(cursor))
    calls = db_session.scalars(query).all()
    if len(calls) <= limit:
        return calls, None
    return calls[:limit], _encode_cursor(calls[limit - 1].id)


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError):
        raise InvalidInput(_("the cursor is not one this API returned")) from None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        raise InvalidInput(_("the cursor is not one this API returned"))
    return value


def register(
    *,
    db_session: Session,
    info: storage.ObjectInfo,
    source: str,
    metadata: CallMetadata | None,
    failure: str | None = None,
    sha256: str | None = None,
) -> tuple[Call, bool]:
    """Records an object as a call once; returns the call and whether it is new.

    Once by the object (bucket, key, version), and once by its content: the same bytes under
    another key (``sha256``, in the scope of the source's external id) are the same call.
    """
    scope = identity.scope(metadata)
    existing = _find(db_session, info)
    if existing is not None:
        return existing, False
    same = (
        identity.find(db_session=db_session, bucket=info.bucket, sha256=sha256, scope=scope)
        if sha256
        else None
    )
    if same is not None:
        if (
            same.status != CallStatus.FAILED
            or failure
            or metadata is None
            or not identity.changes(same, metadata)
        ):
            return same, False
        # The recording of a failed call again, now with other (valid) metadata: resubmitted.
        # Unchanged metadata is not a fix: a damaged recording must not loop.
        identity.reupload(
            db_session=db_session,
            call=same,
            metadata=metadata,
            replace_metadata=True,
            username=source,
        )
        return same, True
    meta = metadata or CallMetadata()
    call = Call(
        bucket=info.bucket,
        object_key=info.key,
        object_version=info.version,
        size_bytes=info.size,
        content_sha256=sha256,
        content_scope=scope,
        source=source,
        **identity.fields(meta, given_only=False),
        status=CallStatus.FAILED if failure else CallStatus.RECEIVED,
        failure_reason=failure,
    )
    try:
        with db_session.begin_nested():
            db_session.add(call)
    except IntegrityError:
        # Another ingestion path registered the same object or bytes between check and insert.
        existing = _find(db_session, info) or (
            identity.find(db_session=db_session, bucket=info.bucket, sha256=sha256, scope=scope)
            if sha256
            else None
        )
        assert existing is not None
        return existing, False
    return call, True


def _find(db_session: Session, info: storage.ObjectInfo) -> Call | None:
    return db_session.scalars(
        select(Call).where(
            Call.bucket == info.bucket,
            Call.object_key == info.key,
            Call.object_version == info.version,
        )
    ).one_or_none()


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
    known = _find(db_session, info)
    if known is not None:
        return known, False
    sha256 = identity.digest(bucket=bucket, key=key)
    try:
        metadata = object_metadata(info)
    except InvalidInput as exc:
        return register(
            db_session=db_session,
            info=info,
            source=source,
            metadata=None,
            failure=str(exc),
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
    except (ValidationError, ValueError) as exc:
        raise InvalidInput(
            _(
                "the metadata of {where} is invalid: {problem}",
                where=where,
                problem=_first_error(exc),
            )
        ) from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        place = ".".join(str(p) for p in err["loc"]) or "metadata"
        return f"{place}: {err['msg']}"
    return str(exc)


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
    for obj in objects:
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


def reviewed_ids() -> Select[tuple[int]]:
    """The ids of calls with a review, open or submitted: QA has them already."""
    from services.qa.reviews.tables import Review  # qa builds on calls: imported where needed

    return select(Review.call_id)
