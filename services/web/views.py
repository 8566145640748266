"""What several pages show of a call: the recording to play (audited, as the API does), the
transcript as the viewer may read it, and a timeline of who spoke, silences and overtalk."""

from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from services.calls.service import Call
from services.config import get_settings
from services.errors import InvalidInput, NotReady, StorageUnavailable
from services.people.service import Principal
from services.speech import playback
from services.speech import service as speech_service
from services.types import Comment
from services.validation import message_of

Model = TypeVar("Model", bound=BaseModel)
SILENCE_S = 3.0  # a pause at least this long is drawn on the timeline


@dataclass(frozen=True)
class Segment:
    """A stretch of the call on its timeline: agent, customer, silence or overtalk."""

    kind: str
    start: float
    end: float


@dataclass(frozen=True)
class Line:
    """One turn of the transcript as the viewer reads it."""

    id: int
    role: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Recording:
    """A call ready to be heard and read."""

    call: Call
    audio_url: str | None
    lines: list[Line]
    segments: list[Segment]
    duration: float
    why_not: str | None = None  # why the recording cannot be played now


def timeline(lines: list[Line]) -> list[Segment]:
    """Who spoke when, the silences between turns and the overtalk where turns overlap."""
    segments = [Segment(line.role, line.start, line.end) for line in lines]
    ordered = sorted(lines, key=lambda line: line.start)
    latest_end = 0.0
    latest_role: str | None = None
    for line in ordered:
        if line.start - latest_end >= SILENCE_S:
            segments.append(Segment("silence", latest_end, line.start))
        elif line.start < latest_end and latest_role not in (None, line.role):
            segments.append(Segment("overtalk", line.start, min(line.end, latest_end)))
        if line.end > latest_end:
            latest_end, latest_role = line.end, line.role
    return segments


def recording(
    *, db_session: Session, call: Call, principal: Principal, request: Request
) -> Recording:
    """The call's audio URL (each one handed out is audited), transcript and timeline."""
    turns = speech_service.shown_turns(
        db_session=db_session, call=call, principal=principal, unredacted=False
    )
    lines = [Line(t.id, t.role, t.start, t.end, text) for t, text in turns]
    try:
        url: str | None = playback.audio(
            db_session=db_session,
            call=call,
            principal=principal,
            address=request.client.host if request.client else None,
            base_url=str(request.base_url).rstrip("/"),
            settings=get_settings(),
        ).url
        why_not: str | None = None
    except (NotReady, StorageUnavailable) as exc:
        # The page still shows the transcript; the player says why it cannot play yet.
        url, why_not = None, str(exc)
    duration = call.duration_s or max((line.end for line in lines), default=0.0)
    return Recording(call, url, lines, timeline(lines), duration, why_not)


def valid(model: type[Model], **fields: Any) -> Model:
    """A form's fields checked like the API's body (the same limits), or InvalidInput."""
    try:
        return model(**fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InvalidInput(f"{where}: {message_of(problem)}") from None


_COMMENT: TypeAdapter[str] = TypeAdapter(Comment)


def comment_text(value: object) -> str:
    """A free-text form field checked like the API's comments, or InvalidInput."""
    try:
        return _COMMENT.validate_python(str(value or ""))
    except ValidationError as exc:
        raise InvalidInput(message_of(exc.errors()[0])) from None
