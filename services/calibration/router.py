"""Calibration over HTTP: sessions, blind answers, the reveal, the pooled report and the
second-reviewer choice. Participants see only their own answers until the reveal (404)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from services.api.auth import Auth
from services.api.params import DbSession, Id
from services.calibration import answers, drawing, history, playback, results, second_reviews
from services.calibration import service as sessions
from services.calibration.agreement.sessions import WINDOW_DAYS
from services.calibration.schemas import (
    AgreedIn,
    AnswerIn,
    AnswerOut,
    CallFormOut,
    ParticipantOut,
    SecondReviewIn,
    SessionIn,
    SessionOut,
    ToleranceIn,
)
from services.calibration.tables import CalibrationAnswer, CalibrationCall, CalibrationSession
from services.calls.schemas import PlaybackOut
from services.config import get_settings
from services.db import utcnow
from services.errors import Forbidden
from services.i18n import _
from services.people.service import Principal
from services.speech import streaming
from services.speech.router import AUDIO_ANSWERS, MAX_EXPIRES
from services.types import InputDatetime, ShortText

router = APIRouter(prefix="/api/v1/calibration", tags=["calibration"])
Position = Annotated[int, Path(ge=1, le=5)]
Username = Annotated[str, Path(min_length=1, max_length=150)]
PackId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


def _session_out(db_session: DbSession, session: Any) -> SessionOut:
    described = sessions.describe(db_session=db_session, session=session)
    people = [ParticipantOut.model_validate(p) for p in described.pop("participants")]
    return SessionOut(**described, participants=people)


def _answer_out(row: CalibrationAnswer, call: CalibrationCall, username: str) -> AnswerOut:
    return AnswerOut(
        username=username,
        position=call.position,
        items=row.items,
        total=row.total,
        maximum=row.maximum,
        missing=row.missing,
        comment=row.draft.get("comment", ""),
        updated_at=row.updated_at,
    )


def _call(db_session: DbSession, session_id: int, position: int, principal: Principal) -> Any:
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    return found, sessions.call_at(db_session=db_session, session=found, position=position)


@router.post("/sessions", response_model=SessionOut, status_code=201)
def create_session(body: SessionIn, db_session: DbSession, principal: Auth) -> SessionOut:
    """A QA manager creates a session: calls by hand or drawn from recent reviews."""
    sessions.check_manager(principal)
    call_ids = body.calls or drawing.draw_calls(
        db_session=db_session,
        principal=principal,
        **body.draw.model_dump(),  # type: ignore[union-attr]
    )
    created = sessions.create(
        db_session=db_session,
        principal=principal,
        title=body.title,
        call_ids=call_ids,
        inspectors=body.inspectors,
        expert=body.expert,
        deadline=body.deadline,
        team=body.team,
        tolerance=body.tolerance,
    )
    return _session_out(db_session, created)


@router.get("/sessions", response_model=list[SessionOut])
def list_sessions(
    db_session: DbSession, principal: Auth, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[SessionOut]:
    """Sessions the caller manages or takes part in, newest first."""
    found = sessions.get_all(db_session=db_session, principal=principal, limit=limit)
    return [_session_out(db_session, s) for s in found]


@router.get("/sessions/{session_id}", response_model=SessionOut)
def get_session(session_id: Id, db_session: DbSession, principal: Auth) -> SessionOut:
    """One session."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    return _session_out(db_session, found)


@router.get("/sessions/{session_id}/calls/{position}", response_model=CallFormOut)
def get_call(
    session_id: Id, position: Position, db_session: DbSession, principal: Auth
) -> CallFormOut:
    """The form and transcript of one of the session's calls, without the agent."""
    _, call = _call(db_session, session_id, position, principal)
    return CallFormOut(**sessions.form(db_session=db_session, call=call, principal=principal))


@router.get("/sessions/{session_id}/calls/{position}/audio", response_model=PlaybackOut)
def get_audio(
    session_id: Id, position: Position, request: Request, db_session: DbSession, principal: Auth
) -> PlaybackOut:
    """A short-lived link to the call's recording that names neither the call nor the agent;
    every request for one is audited."""
    session, call = _call(db_session, session_id, position, principal)
    found = playback.audio(
        db_session=db_session,
        session=session,
        call=call,
        principal=principal,
        address=request.client.host if request.client else None,
        base_url=str(request.base_url),
        settings=get_settings(),
    )
    return PlaybackOut(url=found.url, expires_in_s=found.expires_in_s)


@router.get(
    "/sessions/{session_id}/calls/{position}/audio/stream",
    response_class=Response,
    responses=AUDIO_ANSWERS,
)
def stream_audio(
    session_id: Id,
    position: Position,
    db_session: DbSession,
    expires: Annotated[int, Query(ge=0, le=MAX_EXPIRES)],
    signature: Annotated[str, Query(pattern="^[0-9a-f]{64}$")],
    range_: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
    if_range: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The audio a calibration playback link names, streamed (a ``Range`` gets those bytes)."""
    session = db_session.get(CalibrationSession, session_id)
    if session is None:
        raise Forbidden(_("This playback link has expired or is not valid; ask for a new one."))
    call = sessions.call_at(db_session=db_session, session=session, position=position)
    recording, key = playback.signed(
        db_session=db_session, call=call, expires=expires, sent=signature, settings=get_settings()
    )
    return streaming.audio_response(
        bucket=recording.bucket, key=key, range_header=range_, if_range=if_range
    )


@router.put("/sessions/{session_id}/calls/{position}/answers/me", response_model=AnswerOut)
def save_answer(
    session_id: Id, position: Position, body: AnswerIn, db_session: DbSession, principal: Auth
) -> AnswerOut:
    """The participant's hit verdicts and item scores for one call (merged into what was saved)."""
    session, call = _call(db_session, session_id, position, principal)
    row = answers.save_answer(
        db_session=db_session,
        session=session,
        call=call,
        principal=principal,
        hits=body.verdicts(),
        items=body.scores(),
        comment=body.comment,
    )
    return _answer_out(row, call, principal.username)


@router.get("/sessions/{session_id}/calls/{position}/answers/{username}", response_model=AnswerOut)
def get_answer(
    session_id: Id, position: Position, username: Username, db_session: DbSession, principal: Auth
) -> AnswerOut:
    """One participant's answer ("me": the caller's); others' only after the reveal."""
    session, call = _call(db_session, session_id, position, principal)
    name = principal.username if username == "me" else username
    row = answers.answer_for(
        db_session=db_session, session=session, call=call, username=name, principal=principal
    )
    return _answer_out(row, call, name)


@router.get("/sessions/{session_id}/calls/{position}/gold")
def get_gold(
    session_id: Id, position: Position, db_session: DbSession, principal: Auth
) -> dict[str, Any]:
    """The gold answer of one call; participants see it only after the reveal."""
    session, call = _call(db_session, session_id, position, principal)
    return results.gold_for(db_session=db_session, session=session, call=call, principal=principal)


@router.post("/sessions/{session_id}/submit", response_model=ParticipantOut)
def submit(session_id: Id, db_session: DbSession, principal: Auth) -> ParticipantOut:
    """The participant's answers become final; the last submission reveals the session."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    place = answers.submit(db_session=db_session, session=found, principal=principal)
    return ParticipantOut.model_validate(place)


@router.post("/sessions/{session_id}/reveal", response_model=SessionOut)
def reveal(session_id: Id, db_session: DbSession, principal: Auth) -> SessionOut:
    """A QA manager reveals the session before its deadline."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    return _session_out(
        db_session, sessions.reveal(db_session=db_session, session=found, principal=principal)
    )


@router.get("/sessions/{session_id}/results")
def get_results(session_id: Id, db_session: DbSession, principal: Auth) -> dict[str, Any]:
    """Every answer next to the gold, the disagreements, each participant's deviation."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    sessions.check_revealed(found, principal)
    return results.comparison(db_session=db_session, session=found)


@router.put("/sessions/{session_id}/calls/{position}/agreed")
def record_agreed(
    session_id: Id, position: Position, body: AgreedIn, db_session: DbSession, principal: Auth
) -> dict[str, Any]:
    """The facilitator records the agreed answer and notes for one call after the reveal."""
    session, call = _call(db_session, session_id, position, principal)
    done = answers.record_agreed(
        db_session=db_session,
        session=session,
        call=call,
        principal=principal,
        hits=body.verdicts(),
        items=body.scores(),
        notes=body.notes,
    )
    return {"position": done.position, **(done.agreed or {})}


@router.put("/tolerances/{pack}")
def set_tolerance(
    pack: PackId, body: ToleranceIn, db_session: DbSession, principal: Auth
) -> dict[str, Any]:
    """The tolerance new sessions of a pack start with (a share of the maximum)."""
    row = sessions.set_pack_tolerance(
        db_session=db_session, principal=principal, pack=pack, tolerance=body.tolerance
    )
    return {"pack": row.pack, "tolerance": row.tolerance}


@router.get("/report")
def report(
    db_session: DbSession,
    principal: Auth,
    as_of: Annotated[InputDatetime | None, Query(description="with its time zone")] = None,
    days: Annotated[int, Query(ge=1, le=3660)] = WINDOW_DAYS,
    team: Annotated[ShortText | None, Query()] = None,
) -> dict[str, Any]:
    """Pooled statistics over the window, each inspector's course and recalibration flag."""
    sessions.check_manager(principal)
    return results.report(db_session=db_session, as_of=as_of or utcnow(), days=days, team=team)


@router.get("/inspectors/{username}/history")
def inspector_history(
    username: Username,
    db_session: DbSession,
    principal: Auth,
    as_of: Annotated[InputDatetime | None, Query(description="with its time zone")] = None,
    days: Annotated[int, Query(ge=1, le=3660)] = WINDOW_DAYS,
) -> dict[str, Any]:
    """An inspector's bias and agreement per session over the window, the pooled figures and
    the recalibration flag with why; QA managers see anyone's, an inspector their own."""
    user = history.inspector_or_raise(db_session=db_session, principal=principal, username=username)
    return history.history(db_session=db_session, user=user, as_of=as_of or utcnow(), days=days)


@router.get("/second-reviews")
def list_second_reviews(db_session: DbSession, principal: Auth) -> list[dict[str, Any]]:
    """The second-reviewer choices, and which apply now (the inspector is still flagged)."""
    return second_reviews.second_reviews(db_session=db_session, principal=principal)


@router.put("/second-reviews/{username}")
def choose_second_review(
    username: Username, body: SecondReviewIn, db_session: DbSession, principal: Auth
) -> dict[str, Any]:
    """A QA manager chooses the share of a flagged inspector's reviews to review twice."""
    second_reviews.choose_second_review(
        db_session=db_session,
        principal=principal,
        username=username,
        share=body.share,
        note=body.note,
    )
    found = second_reviews.second_reviews(db_session=db_session, principal=principal)
    return next(r for r in found if r["inspector"] == username)
