"""The reveal page's facilitation: the QA manager records each call's agreed answer and notes
(a form under the call's comparison, CSRF-checked; the service audits it as
``calibration.agreed``), and the chart of each inspector's bias with its interval against the
tolerance band. Participants see both only after the reveal (404 before, as for the answers)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from services.api.params import DbSession, Id
from services.calibration import answers, charts, results
from services.calibration import service as sessions
from services.calibration.service import CalibrationCall, CalibrationSession
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.inspector import Form, _scores, _verdicts
from services.web.views import comment_text

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
Position = Annotated[int, Path(ge=1, le=5)]  # a call's place in its session


def agreed_forms(
    *, db_session: Session, session: CalibrationSession, calls: list[CalibrationCall]
) -> dict[int, dict[str, Any]]:
    """Per call position, the form items and what the facilitator's form starts from."""
    return {
        call.position: {
            "items": call.items,
            "draft": answers.agreed_draft(db_session=db_session, session=session, call=call),
            "notes": (call.agreed or {}).get("notes", ""),
        }
        for call in calls
    }


@router.post("/calibration/{session_id}/calls/{position}/agreed", include_in_schema=False)
def record_agreed(
    session_id: Id, position: Position, db_session: DbSession, principal: Sender, form: Form
) -> Response:
    """The facilitator's agreed answer and notes for one call, after the reveal."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    call = sessions.call_at(db_session=db_session, session=found, position=position)
    hit_ids = [h["hit_id"] for item in call.items for h in item["hits"]]
    answers.record_agreed(
        db_session=db_session,
        session=found,
        call=call,
        principal=principal,
        hits=_verdicts(form, hit_ids),
        items=_scores(form, [i for i in call.items if i["manual"]]),
        notes=comment_text(form.get("notes")),
    )
    target = f"/calibration/{found.id}?agreed={call.position}#call-{call.position}"
    return RedirectResponse(target, status_code=303)


@router.get("/calibration/{session_id}/bias.png", include_in_schema=False)
def bias_chart(session_id: Id, db_session: DbSession, principal: Viewer) -> Response:
    """Each inspector's mean deviation from the gold with its 95 % interval, the tolerance band
    shaded; a participant sees it only after the reveal."""
    found = sessions.get_or_raise(db_session=db_session, session_id=session_id, principal=principal)
    sessions.check_revealed(found, principal)
    shown = results.comparison(db_session=db_session, session=found)
    image = charts.render_bias(shown["participants"], limit=shown["tolerance"] * shown["maximum"])
    return Response(image, media_type="image/png")
