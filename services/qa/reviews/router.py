"""Reviews over HTTP: the queue, assignment of a run, drafts, submission, rule precision.
Each review is authorised in its service (get_or_raise)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from services.api.auth import Managers, Reviewers, require
from services.api.params import DbSession, Id
from services.calls import service as calls_service
from services.calls.schemas import CallSummary, TurnOut
from services.config import get_settings
from services.people import names
from services.people import service as people_service
from services.people.service import Principal, Role
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.router import evaluation_out
from services.qa.evaluations.schemas import EvaluationOut
from services.qa.reviews import assignment, reevaluation
from services.qa.reviews import service as reviews
from services.qa.reviews.schemas import (
    AssignedOut,
    DraftIn,
    ReassignIn,
    ReEvaluateIn,
    ReviewDetailOut,
    ReviewOut,
    RunReassignIn,
    SubmitIn,
)
from services.qa.sampling import service as sampling_service
from services.scoring.schemas import ScoreOut
from services.speech import service as speech_service

router = APIRouter(prefix="/api/v1/reviews", tags=["qa"])


assign_router = APIRouter(prefix="/api/v1/sampling", tags=["qa"])
QaManagers = Annotated[Principal, Depends(require(Role.QA_MANAGER))]


def _assigned_out(placed: list[assignment.Placed]) -> list[AssignedOut]:
    return [
        AssignedOut.model_validate(
            {
                **ReviewOut.model_validate(p.review).model_dump(),
                "area": p.area,
                "fallback": p.fallback,
            }
        )
        for p in placed
    ]


@assign_router.post("/runs/{run_id}/assign", response_model=list[AssignedOut])
def assign_run(run_id: Id, db_session: DbSession, _principal: Managers) -> list[AssignedOut]:
    """Hands the run's calls to the inspectors watching their areas now (once); a call that
    no inspector of its area can take goes to the least-loaded inspector, and says why."""
    stored = sampling_service.get_run_or_raise(db_session=db_session, run_id=run_id)
    return _assigned_out(assignment.assign_run(db_session=db_session, run=stored))


@assign_router.post("/runs/{run_id}/reassign", response_model=list[AssignedOut])
def reassign_run(
    run_id: Id, body: RunReassignIn, db_session: DbSession, _principal: QaManagers
) -> list[AssignedOut]:
    """Assigns the run's unstarted reviews again (after areas changed, say): to ``username``,
    or by the current areas. A started or submitted review named here answers 409."""
    stored = sampling_service.get_run_or_raise(db_session=db_session, run_id=run_id)
    to = (
        people_service.get_by_username_or_raise(db_session=db_session, username=body.username)
        if body.username
        else None
    )
    placed = assignment.reassign_run(
        db_session=db_session, run=stored, review_ids=body.review_ids, to=to
    )
    return _assigned_out(placed)


@router.get("", response_model=list[ReviewOut])
def review_queue(
    db_session: DbSession,
    principal: Reviewers,
    status: Annotated[Literal["open", "submitted"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    overdue: Annotated[bool, Query(description="Only open reviews past their due date.")] = False,
) -> list[ReviewOut]:
    """An inspector's own queue (managers: everyone's), risky calls first, then the soonest
    due, then oldest."""
    reviews = assignment.queue(
        db_session=db_session, principal=principal, status=status, limit=limit, overdue=overdue
    )
    names.preload(db_session, user_ids={r.inspector_id for r in reviews})
    return [ReviewOut.model_validate(r) for r in reviews]


@router.post("/reassign", response_model=list[ReviewOut])
def reassign(body: ReassignIn, db_session: DbSession, _principal: Managers) -> list[ReviewOut]:
    """Moves an absent inspector's open reviews to the least-loaded other inspectors."""
    user = people_service.get_by_username_or_raise(db_session=db_session, username=body.username)
    return [
        ReviewOut.model_validate(r)
        for r in assignment.reassign_from(db_session=db_session, inspector=user)
    ]


@router.get("/{review_id}", response_model=ReviewDetailOut)
def review_detail(review_id: Id, db_session: DbSession, principal: Reviewers) -> ReviewDetailOut:
    """The call, its turns (PII masked), the machine score, and the evaluation so far."""
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    call = calls_service.get_or_raise(db_session=db_session, call_id=review.call_id)
    state = reviews.state(db_session=db_session, review=review, by=principal.username)
    return ReviewDetailOut(
        review=ReviewOut.model_validate(review),
        call=CallSummary.model_validate(call),
        turns=[
            TurnOut.model_validate(t)
            for t in speech_service.get_turns(db_session=db_session, call_id=call.id)
        ],
        machine=ScoreOut.model_validate(state.machine),
        items=state.items,
        flags=state.flags,
        draft=review.draft,
        missing=state.missing,
        evaluation_id=state.evaluation_id,
    )


@router.put("/{review_id}", response_model=ReviewOut)
def save_review(
    review_id: Id, body: DraftIn, db_session: DbSession, principal: Reviewers
) -> ReviewOut:
    """Saves hit verdicts, item scores and the call comment of an open review."""
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    saved = reviews.save_draft(
        db_session=db_session,
        review=review,
        principal=principal,
        hits=body.verdicts(),
        items=body.scores(),
        comment=body.comment,
        turn_comments=body.turn_comments(),
    )
    return ReviewOut.model_validate(saved)


@router.post("/{review_id}/submit", response_model=EvaluationOut, status_code=201)
def submit_review(
    review_id: Id, body: SubmitIn, db_session: DbSession, principal: Reviewers
) -> EvaluationOut:
    """Submits a complete review as an evaluation (and releases it, if asked)."""
    review = reviews.get_or_raise(db_session=db_session, review_id=review_id, principal=principal)
    row = reviews.submit(db_session=db_session, review=review, principal=principal)
    if body.release and row.released_at is None:  # a re-evaluation may be released already
        row = evaluations.release(db_session=db_session, row=row, principal=principal)
    return evaluation_out(row)


reevaluate_router = APIRouter(prefix="/api/v1/evaluations", tags=["qa"])


@reevaluate_router.post("/{evaluation_id}/re-evaluate", response_model=ReviewOut)
def reevaluate(
    evaluation_id: Id, body: ReEvaluateIn, db_session: DbSession, principal: Managers
) -> ReviewOut:
    """Sends an evaluated call back to an inspector; submitting it makes the next version of
    the same evaluation (the call's one evaluation in force)."""
    row = evaluations.get_or_raise(
        db_session=db_session, evaluation_id=evaluation_id, principal=principal
    )
    review = reevaluation.request(
        db_session=db_session,
        row=row,
        principal=principal,
        reason=body.reason,
        inspector=body.inspector,
    )
    return ReviewOut.model_validate(review)


precision_router = APIRouter(prefix="/api/v1/rules", tags=["qa"])


RuleId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@precision_router.get("/{rule_id}/precision")
def rule_precision(
    rule_id: RuleId,
    db_session: DbSession,
    _principal: Annotated[
        Principal,
        Depends(require(Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR, Role.TRAINING_LEAD)),
    ],
) -> dict:
    """How many of the rule's hits inspectors confirmed, overall and per pack version."""
    reviews.check_exists(db_session=db_session, rule_id=rule_id, rules_dir=get_settings().rules_dir)
    return reviews.precision(db_session=db_session, rule_id=rule_id)
