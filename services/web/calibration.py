"""Calibration pages: a QA manager creates and reveals sessions; a participant sees their
sessions and scores each call blind on the review's own form (hearing the call, never seeing
whose it is); after the reveal, every answer next to the gold with the disagreements marked and
each participant's deviation. Blindness is the services' own: what they hide answers 404."""

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.params import DbSession, Id
from services.calibration import answers, playback, results
from services.calibration import service as sessions
from services.calibration.schemas import SessionIn
from services.calibration.service import CalibrationCall, CalibrationSession
from services.calls.service import Call
from services.config import get_settings
from services.errors import InvalidInput, NotReady, StorageUnavailable
from services.i18n import _
from services.people.service import Principal, Role
from services.qa.evaluations import content
from services.speech import service as speech_service
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.calibration_reveal import agreed_forms
from services.web.inspector import Form, _scores, _verdicts
from services.web.templating import render
from services.web.views import Line, Recording, comment_text, timeline, valid

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
Position = Annotated[int, Path(ge=1, le=5)]  # a call's place in its session


def _names(text: object) -> list[str]:
    return [n.strip() for n in str(text or "").replace("，", ",").split(",") if n.strip()]


@router.get("/calibration", response_class=HTMLResponse, include_in_schema=False)
def listing(db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """The sessions one manages or takes part in; managers also get the form for a new one."""
    found = sessions.get_all(db_session=db_session, principal=principal, limit=200)
    rows = [sessions.describe(db_session=db_session, session=s) for s in found]
    return HTMLResponse(render("calibration.html", principal=principal, rows=rows))


@router.post("/calibration", include_in_schema=False)
def create(db_session: DbSession, principal: Sender, form: Form) -> Response:
    """A QA manager creates a session from the form: calls by id, inspectors by username."""
    sessions.check_manager(principal)
    try:
        call_ids = [int(c) for c in _names(form.get("calls"))]
        local = datetime.fromisoformat(str(form.get("deadline") or ""))
        tolerance = str(form.get("tolerance") or "").strip()
        share = float(tolerance) / 100 if tolerance else None
    except ValueError:
        raise InvalidInput(_("Calls are numbers, the deadline a date and time.")) from None
    zone = ZoneInfo(get_settings().center_timezone)
    body = valid(  # the API's own limits: ids, names, the deadline's range, the tolerance
        SessionIn,
        title=str(form.get("title") or "").strip() or _("Calibration"),
        calls=call_ids,
        inspectors=_names(form.get("inspectors")),
        expert=str(form.get("expert") or "").strip() or None,
        deadline=local if local.tzinfo else local.replace(tzinfo=zone),
        tolerance=share,
    )
    made = sessions.create(
        db_session=db_session,
        principal=principal,
        title=body.title,
        call_ids=body.calls or [],
        inspectors=body.inspectors,
        expert=body.expert,
        deadline=body.deadline,
        team=None,
        tolerance=body.tolerance,
    )
    return RedirectResponse(f"/calibration/{made.id}", status_code=303)


@router.get("/calibration/{session_id}", response_class=HTMLResponse, include_in_schema=False)
def session_page(session_id: Id, db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """The session: its calls to score (with one's own progress), then, once revealed, the
    comparison of every answer with the gold."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    place = sessions.participant(db_session=db_session, session=found, user_id=principal.user_id)
    calls = sessions.calls(db_session=db_session, session=found)
    mine = {
        c.position: answers.answer_of(
            db_session=db_session, session=found, call=c, user_id=principal.user_id
        )
        for c in calls
    }
    revealed = sessions.is_revealed(found)
    shown = (
        results.comparison(db_session=db_session, session=found)
        if revealed or principal.role in Role.MANAGERS
        else None
    )
    return HTMLResponse(
        render(
            "calibration_session.html",
            principal=principal,
            session=sessions.describe(db_session=db_session, session=found),
            calls=calls,
            mine=mine,
            place=place,
            revealed=revealed,
            shown=shown,
            manager=principal.role in Role.MANAGERS,
            # The facilitator's forms, once the answers are out (the service refuses before).
            forms=agreed_forms(db_session=db_session, session=found, calls=calls)
            if revealed and principal.role in Role.MANAGERS
            else None,
        )
    )


@router.post("/calibration/{session_id}/reveal", include_in_schema=False)
def reveal(session_id: Id, db_session: DbSession, principal: Sender) -> Response:
    """A QA manager reveals the session before its deadline."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    sessions.reveal(db_session=db_session, session=found, principal=principal)
    return RedirectResponse(f"/calibration/{found.id}", status_code=303)


@router.post("/calibration/{session_id}/submit", include_in_schema=False)
def submit(session_id: Id, db_session: DbSession, principal: Sender) -> Response:
    """The participant's answers become final (the last submission reveals the session)."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    answers.submit(db_session=db_session, session=found, principal=principal)
    return RedirectResponse(f"/calibration/{found.id}", status_code=303)


def _media(
    db_session: DbSession,
    session: CalibrationSession,
    call: CalibrationCall,
    principal: Principal,
    request: Request,
) -> Recording:
    """The call's audio (by its place in the session), transcript and timeline."""
    source = db_session.get(Call, call.call_id)
    assert source is not None  # a session's call goes with it (CASCADE)
    turns = speech_service.shown_turns(
        db_session=db_session, call=source, principal=principal, unredacted=False
    )
    lines = [Line(t.id, t.role, t.start, t.end, text) for t, text in turns]
    try:
        url: str | None = playback.audio(
            db_session=db_session,
            session=session,
            call=call,
            principal=principal,
            address=request.client.host if request.client else None,
            base_url=str(request.base_url),
            settings=get_settings(),
        ).url
        why_not = None
    except (NotReady, StorageUnavailable) as exc:
        url, why_not = None, str(exc)
    duration = source.duration_s or max((line.end for line in lines), default=0.0)
    # The template shows the player and transcript only, never ``call`` (the agent, the team).
    return Recording(source, url, lines, timeline(lines), duration, why_not)


def _call_page(
    db_session: DbSession,
    principal: Principal,
    request: Request,
    session: CalibrationSession,
    call: CalibrationCall,
    **extra: Any,
) -> str:
    row = answers.answer_of(
        db_session=db_session, session=session, call=call, user_id=principal.user_id
    )
    draft = row.draft if row is not None else {}
    items = row.items if row is not None else call.items
    place = sessions.participant(db_session=db_session, session=session, user_id=principal.user_id)
    locked = place is None or place.submitted_at is not None or sessions.is_revealed(session)
    return render(
        "calibration_call.html",
        principal=principal,
        session=session,
        call=call,
        media=_media(db_session, session, call, principal, request),
        items=items,
        draft=draft,
        locked=locked,
        totals=content.totals(items, call.weights),
        missing=content.problems(call.items, draft),
        **extra,
    )


@router.get(
    "/calibration/{session_id}/calls/{position}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def call_page(
    session_id: Id, position: Position, request: Request, db_session: DbSession, principal: Viewer
) -> HTMLResponse:
    """One call to score blind: the player, the transcript and the review's form."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    call = sessions.call_at(db_session=db_session, session=found, position=position)
    return HTMLResponse(_call_page(db_session, principal, request, found, call))


@router.post("/calibration/{session_id}/calls/{position}", include_in_schema=False)
def save(
    session_id: Id, position: Position, db_session: DbSession, principal: Sender, form: Form
) -> Response:
    """Saves the participant's verdicts and scores for the call (merged into what was saved)."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    call = sessions.call_at(db_session=db_session, session=found, position=position)
    hit_ids = [h["hit_id"] for item in call.items for h in item["hits"]]
    answers.save_answer(
        db_session=db_session,
        session=found,
        call=call,
        principal=principal,
        hits=_verdicts(form, hit_ids),
        items=_scores(
            form, [i for i in call.items if i["manual"] or form.get(f"earned-{i['id']}")]
        ),
        comment=comment_text(form.get("comment")),
    )
    return RedirectResponse(f"/calibration/{found.id}/calls/{call.position}?saved=1", 303)
