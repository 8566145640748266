"""HTTP endpoints for hearing a call (a playback link, and the stream it points at) and for
agents' voiceprints."""

import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from services.api.auth import Auth
from services.api.params import CallId, DbSession
from services.calls import service as calls_service
from services.calls import upload
from services.calls.schemas import PlaybackOut
from services.config import get_settings
from services.errors import Forbidden
from services.i18n import _
from services.speech import links, playback, streaming, voiceprints
from services.speech.schemas import VoiceprintOut
from services.speech.tables import Voiceprint

router = APIRouter(prefix="/api/v1", tags=["calls"])

# Links expire within the hour; a bound keeps absurd numbers from reaching the arithmetic.
MAX_EXPIRES = 2**40
AUDIO_ANSWERS: dict[int | str, dict[str, object]] = {
    200: {"content": {"audio/*": {}}, "description": "The whole recording."},
    206: {"content": {"audio/*": {}}, "description": "The bytes the Range header asked for."},
    403: {"description": "The link has expired or is not valid."},
    416: {"description": "The range starts past the end of the recording."},
}


@router.get(
    "/calls/{call_id}/audio",
    response_model=PlaybackOut,
    responses={409: {"description": "Not ready for this role yet (Retry-After), or never."}},
)
def call_audio(
    call_id: CallId, request: Request, db_session: DbSession, principal: Auth
) -> PlaybackOut:
    """A short-lived link to the recording (the bleeped copy for roles that must not hear
    personal data); every request for one is written to the audit log."""
    call = calls_service.get_or_raise(db_session=db_session, call_id=call_id, principal=principal)
    found = playback.audio(
        db_session=db_session,
        call=call,
        principal=principal,
        address=request.client.host if request.client else None,
        base_url=str(request.base_url),
        settings=get_settings(),
    )
    return PlaybackOut(url=found.url, expires_in_s=found.expires_in_s)


@router.get("/calls/{call_id}/audio/stream", response_class=Response, responses=AUDIO_ANSWERS)
def stream_audio(
    call_id: CallId,
    db_session: DbSession,
    expires: Annotated[int, Query(ge=0, le=MAX_EXPIRES)],
    signature: Annotated[str, Query(pattern="^[0-9a-f]{64}$")],
    range_: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
    if_range: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The audio a playback link names, streamed; a ``Range`` request gets those bytes (206)."""
    settings = get_settings()
    call = calls_service.get(db_session=db_session, call_id=call_id)
    candidates = [k for k in (call.object_key, call.redacted_key) if k] if call else []
    key = links.signed_key(
        settings=settings,
        call_id=call_id,
        candidates=candidates,
        expires=expires,
        sent=signature,
        now=time.time(),
    )
    if call is None or key is None:
        raise Forbidden(_("This playback link has expired or is not valid; ask for a new one."))
    return streaming.audio_response(
        bucket=call.bucket, key=key, range_header=range_, if_range=if_range
    )


AgentId = Annotated[str, PathParam(min_length=1, max_length=255)]
VOICEPRINT_BODY = {
    "requestBody": {
        "required": True,
        "description": f"A one-channel recording of the agent alone, at least "
        f"{voiceprints.MIN_SPEECH_S:.0f} s of speech, at most {voiceprints.MAX_BYTES} bytes "
        "(any format FFmpeg decodes).",
        # Any bytes: the body is decoded by FFmpeg, whatever it says its type is.
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _facts(agent_id: str, voiceprint: Voiceprint) -> VoiceprintOut:
    return VoiceprintOut(
        agent_id=agent_id,
        speech_s=voiceprint.speech_s,
        enrolled_by=voiceprint.enrolled_by,
        enrolled_at=voiceprint.enrolled_at,
    )


@router.put(
    "/agents/{agent_id}/voiceprint",
    response_model=VoiceprintOut,
    tags=["voiceprints"],
    openapi_extra=VOICEPRINT_BODY,
)
async def enroll_voiceprint(
    agent_id: AgentId, request: Request, db_session: DbSession, principal: Auth
) -> VoiceprintOut:
    """Enrolls (or re-enrolls) the agent's voice, so that mono recordings tell it apart: the
    agent themself, a QA manager or an admin; written to the audit log."""
    limit = voiceprints.MAX_BYTES
    data = b"".join([chunk async for chunk in upload.limited(request.stream(), limit, limit)])
    with tempfile.TemporaryDirectory(prefix="zhijian-voice-") as tmp:
        recording = Path(tmp) / "voice"
        await run_in_threadpool(recording.write_bytes, data)
        voiceprint = await run_in_threadpool(
            partial(
                voiceprints.enroll,
                db_session=db_session,
                agent_id=agent_id,
                recording=recording,
                principal=principal,
            )
        )
    return _facts(agent_id, voiceprint)


@router.get("/agents/{agent_id}/voiceprint", response_model=VoiceprintOut, tags=["voiceprints"])
def voiceprint_facts(agent_id: AgentId, db_session: DbSession, principal: Auth) -> VoiceprintOut:
    """Whether the agent has a voiceprint, from how much speech, by whom and when."""
    found = voiceprints.get(db_session=db_session, agent_id=agent_id, principal=principal)
    return _facts(agent_id, found)


@router.delete("/agents/{agent_id}/voiceprint", status_code=204, tags=["voiceprints"])
def forget_voiceprint(agent_id: AgentId, db_session: DbSession, principal: Auth) -> Response:
    """Deletes the agent's voiceprint for good; written to the audit log."""
    voiceprints.forget(db_session=db_session, agent_id=agent_id, principal=principal)
    return Response(status_code=204)
