"""An evaluation's page: the scorecard with its evidence and the recording; the agent
acknowledges or disputes items within the window, the inspector releases it."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.params import DbSession, Id
from services.calls import service as calls_service
from services.config import get_settings
from services.db import utcnow
from services.errors import ZhijianError
from services.people.service import Principal
from services.qa.disputes import service as disputes
from services.qa.disputes.schemas import DisputeIn
from services.qa.evaluations import content
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.service import Evaluation
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.templating import render
from services.web.views import recording, valid

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])


def _may_dispute(row: Evaluation, principal: Principal, closes: datetime | None) -> bool:
    return (
        principal.agent_id is not None
        and row.agent_id == principal.agent_id
        and row.released_at is not None
        and row.superseded_by is None
        and row.acknowledged_at is None
        and closes is not None
        and utcnow() <= closes
    )


@router.get("/evaluations/{evaluation_id}", response_class=HTMLResponse, include_in_schema=False)
def evaluation(
    evaluation_id: Id, request: Request, db_session: DbSession, principal: Viewer
) -> HTMLResponse:
    """The evaluation as its reader may see it, with the call to listen to at every hit."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    call = calls_service.get_or_raise(db_session=db_session, call_id=row.call_id)
    closes = evaluations.dispute_deadline(row, get_settings().dispute_window_days)
    found = disputes.get_all(db_session=db_session, principal=principal, review_id=row.review_id)
    disputed = {d.item_id for d in found}
    page = render(
        "evaluation.html",
        principal=principal,
        row=row,
        media=recording(db_session=db_session, call=call, principal=principal, request=request),
        items=row.items,
        deductions=content.violations(row.items),
        closes=closes,
        seconds_left=max(0, int((closes - utcnow()).total_seconds())) if closes else None,
        may_dispute=_may_dispute(row, principal, closes),
        may_release=row.released_at is None
        and row.superseded_by is None
        and _is_author(row, principal),
        disputes=found,
        disputed=disputed,
        limit=get_settings().disputes_per_evaluation,
    )
    return HTMLResponse(page)


def _is_author(row: Evaluation, principal: Principal) -> bool:
    try:
        evaluations.check_author(row, principal)
    except ZhijianError:  # not theirs, or superseded: no release button
        return False
    return True


@router.post("/evaluations/{evaluation_id}/disputes", include_in_schema=False)
def dispute(
    evaluation_id: Id,
    db_session: DbSession,
    principal: Sender,
    item_id: Annotated[str, Form(max_length=255)],
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """The agent disputes one item, with a reason, within the window."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    body = valid(DisputeIn, item_id=item_id, reason=reason)
    settings = get_settings()
    disputes.open_dispute(
        db_session=db_session,
        row=row,
        principal=principal,
        item_id=body.item_id,
        reason=body.reason,
        window_days=settings.dispute_window_days,
        per_evaluation=settings.disputes_per_evaluation,
    )
    return RedirectResponse(f"/evaluations/{row.id}", status_code=303)


@router.post("/evaluations/{evaluation_id}/acknowledge", include_in_schema=False)
def acknowledge(evaluation_id: Id, db_session: DbSession, principal: Sender) -> Response:
    """The agent accepts the evaluation."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    evaluations.acknowledge(db_session=db_session, row=row, principal=principal)
    return RedirectResponse(f"/evaluations/{row.id}", status_code=303)


@router.post("/evaluations/{evaluation_id}/release", include_in_schema=False)
def release(evaluation_id: Id, db_session: DbSession, principal: Sender) -> Response:
    """The inspector shows the evaluation to the agent."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    evaluations.release(db_session=db_session, row=row, principal=principal)
    return RedirectResponse(f"/evaluations/{row.id}", status_code=303)
