"""Disputes for the team lead and the QA manager: the list to decide, and one dispute with the
recording at the disputed item's evidence, the inspector's notes and the decision form."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.params import DbSession, Id
from services.calls import service as calls_service
from services.errors import Forbidden
from services.qa.disputes import service as disputes
from services.qa.disputes.schemas import DecisionIn
from services.qa.disputes.service import DisputeStatus
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.service import Evaluation
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.templating import render
from services.web.views import recording, valid

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])


@router.get("/disputes", response_class=HTMLResponse, include_in_schema=False)
def listing(db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """Open disputes first (oldest first), then the decided ones."""
    open_ = disputes.get_all(
        db_session=db_session, principal=principal, status=DisputeStatus.OPEN, limit=200
    )
    everything = disputes.get_all(db_session=db_session, principal=principal, limit=500)
    decided = [d for d in reversed(everything) if d.status != DisputeStatus.OPEN][:50]
    page = render("disputes.html", principal=principal, open=open_, decided=decided)
    return HTMLResponse(page)


@router.get("/disputes/{dispute_id}", response_class=HTMLResponse, include_in_schema=False)
def detail(
    dispute_id: Id, request: Request, db_session: DbSession, principal: Viewer
) -> HTMLResponse:
    """One dispute: the item, its evidence on the recording, the inspector's and agent's words."""
    found = disputes.get_or_raise(db_session=db_session, dispute_id=dispute_id, principal=principal)
    row = db_session.get(Evaluation, found.evaluation_id)
    assert row is not None  # a dispute goes with its evaluation
    current = evaluations.current(db_session=db_session, review_id=found.review_id)
    item = next((i for i in row.items if i["id"] == found.item_id), None)
    call = calls_service.get_or_raise(db_session=db_session, call_id=row.call_id)
    try:
        disputes.check_decider(found, principal)
        may_decide = found.status == DisputeStatus.OPEN
    except Forbidden:
        may_decide = False
    page = render(
        "dispute.html",
        principal=principal,
        dispute=found,
        row=row,
        current=current,
        item=item,
        media=recording(db_session=db_session, call=call, principal=principal, request=request),
        may_decide=may_decide,
    )
    return HTMLResponse(page)


@router.post("/disputes/{dispute_id}/decision", include_in_schema=False)
def decide(
    dispute_id: Id,
    db_session: DbSession,
    principal: Sender,
    decision: Annotated[str, Form(max_length=16)],
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Upholds the judgement or overturns it (full points back), with the reason."""
    found = disputes.get_or_raise(db_session=db_session, dispute_id=dispute_id, principal=principal)
    body = valid(DecisionIn, decision=decision, comment=comment)
    disputes.decide(
        db_session=db_session,
        dispute=found,
        principal=principal,
        decision=body.decision,
        comment=body.comment,
        earned=None,
    )
    return RedirectResponse(f"/disputes/{found.id}", status_code=303)
