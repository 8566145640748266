"""HTTP endpoints for calls: upload, S3 events, list (one call in detail, with its turns and
score, is answered by services/scoring/router.py: scoring and speech build on calls)."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from services import pipeline
from services.api import capacity
from services.api.auth import Auth, Managers, Webhook
from services.api.params import DbSession
from services.calls import intake, recordings, upload
from services.calls import service as calls_service
from services.calls.schemas import (
    CallAccepted,
    CallPage,
    CallSummary,
    S3EventsAccepted,
)
from services.calls.tables import CallStatus
from services.config import get_settings
from services.db import after_commit
from services.errors import InvalidInput, ObjectMissing
from services.i18n import _
from services.types import InputDatetime

router = APIRouter(prefix="/api/v1", tags=["calls"])

METADATA_EXAMPLE = '{"agent_id": "A1001", "channels": {"agent": 0, "customer": 1}}'
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["audio"],
                    "properties": {
                        "audio": {"type": "string", "format": "binary"},
                        "metadata": {
                            "type": "string",
                            "description": "CallMetadata as JSON text",
                            "example": METADATA_EXAMPLE,
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/calls",
    response_model=CallAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra=UPLOAD_DOC,
    responses={
        200: {"model": CallAccepted, "description": "Already received (the same recording)."},
        409: {"description": "Already received with other metadata; nothing was changed."},
    },
)
async def upload_call(
    request: Request,
    response: Response,
    db_session: DbSession,
    principal: Managers,
    replace_metadata: Annotated[
        bool,
        Query(
            description="The recording is already a call: apply this upload's metadata to it "
            "(written to the audit log) instead of refusing the difference with 409."
        ),
    ] = False,
) -> CallAccepted:
    """Uploads a recording with its metadata; the same recording (by its bytes) is one call.

    A failed call is resubmitted by uploading its recording again with fixed metadata.
    """
    settings = get_settings()
    # Authentication read the database: give its connection back while the body streams in
    # (seconds on a slow link, or under load), and take one again to store it.
    await run_in_threadpool(db_session.rollback)
    async with capacity.released(request):
        received = await upload.receive(request, max_bytes=settings.max_upload_bytes)
    # Storing is blocking work (hashing, the database, the copy to S3): off the event loop.
    stored = await run_in_threadpool(
        partial(
            intake.store_upload,
            db_session=db_session,
            bucket=settings.bucket,
            prefix=settings.upload_prefix,
            filename=received.filename,
            sha256=received.sha256,
            data=received.file,
            length=received.size,
            content_type=received.content_type,
            metadata=received.metadata,
            username=principal.username,
            address=request.client.host if request.client else None,
            replace_metadata=replace_metadata,
        )
    )
    if stored.queued:
        after_commit(db_session, partial(pipeline.enqueue_transcription, stored.call.id))
    else:
        response.status_code = status.HTTP_200_OK
    return CallAccepted(
        id=stored.call.id,
        status=stored.call.status,
        duplicate=stored.outcome != "created",
        outcome=stored.outcome,
    )


@router.post("/ingest/s3-events", response_model=S3EventsAccepted)
def s3_events(
    db_session: DbSession, _principal: Webhook, payload: Annotated[dict[str, Any], Body()]
) -> S3EventsAccepted:
    """Registers the recordings named in an S3/MinIO bucket notification (events are hints)."""
    settings = get_settings()
    result = S3EventsAccepted(registered=[], duplicates=[], ignored=[])
    records = recordings.parse_event_records(payload)
    if len(records) > 1000:
        raise InvalidInput(_("at most 1000 records per notification"))
    for _bucket, key, _version in records:
        recordings.check_key(key)
    answers: dict[int, tuple[list[Any], Any]] = {}
    # In key order, as the reconciler goes: notifiers and reconcilers racing on the same
    # objects then take the rows' locks in one order, so none deadlocks another (events
    # arrive duplicated and in any order; tests/faults found the deadlock). Answered in the
    # notification's order.
    for index in sorted(range(len(records)), key=lambda i: (*records[i][:2], records[i][2] or "")):
        bucket, key, version = records[index]
        if bucket != settings.bucket or not recordings.is_recording_key(key):
            answers[index] = (result.ignored, f"s3://{bucket}/{key}")
            continue
        try:
            call, created = recordings.ingest_object(
                db_session=db_session,
                bucket=bucket,
                key=key,
                source="s3-event",
                event_version=version,
            )
        except ObjectMissing:
            answers[index] = (result.ignored, f"s3://{bucket}/{key}")
            continue
        answers[index] = (result.registered if created else result.duplicates, call.id)
        if created and call.status == CallStatus.RECEIVED:
            after_commit(db_session, partial(pipeline.enqueue_transcription, call.id))
    for index in sorted(answers):
        answer_list, item = answers[index]
        answer_list.append(item)
    return result


@router.get("/calls", response_model=CallPage)
def list_calls(
    db_session: DbSession,
    principal: Auth,
    status_: Annotated[str | None, Query(alias="status", pattern="^[a-z_]{1,32}$")] = None,
    agent_id: Annotated[str | None, Query(max_length=255)] = None,
    team: Annotated[str | None, Query(max_length=255)] = None,
    flagged: bool | None = None,
    started_from: Annotated[
        InputDatetime | None, Query(alias="from", description="without a zone it is UTC")
    ] = None,
    started_to: Annotated[InputDatetime | None, Query(alias="to")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CallPage:
    """Lists calls newest first, filtered; page with ``cursor``."""
    calls, next_cursor = calls_service.get_all(
        db_session=db_session,
        principal=principal,
        status=status_,
        agent_id=agent_id,
        team=team,
        flagged=flagged,
        started_from=started_from,
        started_to=started_to,
        cursor=cursor,
        limit=limit,
    )
    return CallPage(items=[CallSummary.model_validate(c) for c in calls], next_cursor=next_cursor)
