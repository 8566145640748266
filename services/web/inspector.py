"""The inspector's pages: the review queue (risky calls first, why each was picked) and the
review workspace (recording, transcript, hits to confirm or reject, manual items, submit)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from services.api.params import DbSession, Id
from services.calls import service as calls_service
from services.db import aware, utcnow
from services.errors import Forbidden, InvalidInput
from services.i18n import _
from services.people.service import Principal, Role
from services.qa.evaluations import content
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.schemas import ItemScoreIn
from services.qa.reviews import assignment
from services.qa.reviews import service as reviews
from services.qa.reviews.schemas import HitVerdictIn
from services.qa.reviews.service import Review
from services.qa.sampling.due import is_overdue
from services.scoring import service as scoring_service
from services.web import lookups
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.ladder_preview import preview
from services.web.templating import render
from services.web.views import comment_text, recording, valid

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
REVIEWERS = (Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR)


def _reviewer(principal: Principal) -> Principal:
    if principal.role not in REVIEWERS:
        raise Forbidden(_("This page is for inspectors and QA managers."))
    return principal


async def form_data(request: Request) -> FormData:
    """The posted form (already read for the CSRF check; Starlette keeps it)."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


@router.get("/reviews", response_class=HTMLResponse, include_in_schema=False)
def queue(db_session: DbSession, principal: Viewer, overdue: bool = False) -> HTMLResponse:
    """The open reviews, risky first then soonest due, with why each call was picked and when
    it is due (overdue ones marked); ``overdue``: only those past their due date."""
    _reviewer(principal)
    open_ = assignment.queue(db_session=db_session, principal=principal, status="open", limit=500)
    done = assignment.queue(
        db_session=db_session, principal=principal, status="submitted", limit=500
    )
    now = utcnow()
    late = [r for r in open_ if is_overdue(r.due_at, r.status, now)]
    shown = late if overdue else open_
    ids = [r.call_id for r in shown]
    calls = lookups.calls_by_id(db_session=db_session, ids=ids)
    scores = {i: scoring_service.latest_score(db_session=db_session, call_id=i) for i in ids}
    rows = [
        {
            "review": r,
            "call": calls[r.call_id],
            "score": scores[r.call_id],
            "waiting_days": (now - aware(r.assigned_at)).days,
            "overdue": r in late,
        }
        for r in shown
    ]
    counts = {
        "open": len(open_),
        "risky": sum(1 for r in open_ if r.priority == 0),
        "overdue": len(late),
        "submitted": len(done),
    }
    page = render("queue.html", principal=principal, rows=rows, counts=counts, overdue=overdue)
    return HTMLResponse(page)


def _workspace(
    db_session: DbSession, principal: Principal, request: Request, review: Review, **extra: Any
) -> str:
    call = calls_service.get_or_raise(db_session=db_session, call_id=review.call_id)
    state = reviews.state(db_session=db_session, review=review, by=principal.username)
    totals = content.totals(state.items, content.weights(state.machine.sections))
    return render(
        "review.html",
        principal=principal,
        review=review,
        media=recording(db_session=db_session, call=call, principal=principal, request=request),
        items=state.items,
        draft=review.draft,
        undecided=len(state.missing),
        totals=totals,
        deductions=content.violations(state.items),
        ladder=preview(db_session=db_session, call=call, review_id=review.id, items=state.items)
        if state.evaluation_id is None
        else [],
        evaluation_id=state.evaluation_id,
        **extra,
    )


@router.get("/reviews/{review_id}", response_class=HTMLResponse, include_in_schema=False)
def workspace(
    review_id: Id, request: Request, db_session: DbSession, principal: Viewer
) -> HTMLResponse:
    """The review workspace: player, transcript, hits and scorecard side by side."""
    _reviewer(principal)
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    return HTMLResponse(_workspace(db_session, principal, request, review))


def _verdicts(form: FormData, hit_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The hits judged in the form; a rejection needs a reason."""
    found = {}
    for hit_id in hit_ids:
        choice = form.get(f"hit-{hit_id}")
        if choice not in ("confirm", "reject"):
            continue
        note = str(form.get(f"note-{hit_id}") or "").strip()
        if choice == "reject" and not note:
            raise InvalidInput(_("Say why you reject hit {hit}.", hit=hit_id))
        verdict = valid(HitVerdictIn, hit_id=hit_id, confirmed=choice == "confirm", comment=note)
        found[hit_id] = {"confirmed": verdict.confirmed, "comment": verdict.comment}
    return found


def _scores(form: FormData, items: list[content.Item]) -> dict[str, dict[str, Any]]:
    """The items a person scored in the form: points, or not applicable."""
    found = {}
    for item in items:
        key = item["id"]
        earned = str(form.get(f"earned-{key}") or "").strip()
        not_applicable = form.get(f"na-{key}") == "on"
        note = str(form.get(f"comment-{key}") or "").strip()
        if not earned and not not_applicable:
            continue
        try:
            points = None if not_applicable or not earned else float(earned)
        except ValueError:
            raise InvalidInput(_("Points must be a number: {value}", value=earned)) from None
        score = valid(ItemScoreIn, item_id=key, earned=points, not_applicable=not_applicable,
                      comment=note)  # fmt: skip
        found[key] = score.model_dump(exclude={"item_id"}, exclude_defaults=True)
    return found


def _turn_comments(form: FormData) -> dict[int, str]:
    """Comments on single turns: those saved before as edited (empty removes one) and a new one."""
    found = {}
    for key, value in form.multi_items():
        if key.startswith("turn-comment-") and key.removeprefix("turn-comment-").isdigit():
            found[int(key.removeprefix("turn-comment-"))] = comment_text(value)
    new_turn, new_text = str(form.get("new_turn") or ""), comment_text(form.get("new_turn_comment"))
    if new_text.strip():
        if not new_turn.isdigit():
            raise InvalidInput(_("Choose the turn the comment is about."))
        found[int(new_turn)] = new_text
    return found


@router.post("/reviews/{review_id}", include_in_schema=False)
def save(
    review_id: Id, request: Request, db_session: DbSession, principal: Sender, form: Form
) -> Response:
    """Saves the verdicts, scores and comment; with ``action=submit`` submits the evaluation
    (the draft is kept, and the page says what is missing, when it is not complete)."""
    _reviewer(principal)
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    base = reviews.machine_items(
        db_session=db_session, score=reviews.machine_score(db_session=db_session, review=review)
    )
    hit_ids = [h["hit_id"] for item in base for h in item["hits"]]
    reviews.save_draft(
        db_session=db_session,
        review=review,
        principal=principal,
        hits=_verdicts(form, hit_ids),
        items=_scores(form, [i for i in base if i["manual"] or form.get(f"earned-{i['id']}")]),
        comment=comment_text(form.get("comment")),
        turn_comments=_turn_comments(form),
    )
    if form.get("action") != "submit":
        return RedirectResponse(f"/reviews/{review.id}?saved=1", status_code=303)
    if content.problems(base, review.draft):
        page = _workspace(db_session, principal, request, review, incomplete=True)
        return HTMLResponse(page, status_code=422)
    row = reviews.submit(db_session=db_session, review=review, principal=principal)
    if form.get("release") == "on":
        row = evaluations.release(db_session=db_session, row=row, principal=principal)
    return RedirectResponse(f"/evaluations/{row.id}", status_code=303)
