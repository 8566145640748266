"""HTTP endpoints for rule packs, operators, validation and re-scoring; and one call in detail,
with its turns and latest score, composed here because scoring builds on calls and speech."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from services import pipeline
from services.api.auth import Auth, Managers
from services.api.params import CallId, DbSession
from services.calls import service as calls_service
from services.calls.schemas import CallAccepted, TurnOut
from services.config import get_settings
from services.i18n import localised
from services.scoring import service as scoring_service
from services.scoring import validation
from services.scoring.rules import pack as pack_module
from services.scoring.rules import registry
from services.scoring.schemas import (
    CallOut,
    HitOut,
    PackOut,
    RuleOut,
    RuleStatusOut,
    ScoreOut,
    ValidationOut,
)
from services.speech import service as speech_service

router = APIRouter(prefix="/api/v1", tags=["rules"])
# Included right after the calls router, so the API and its documentation are as before.
call_router = APIRouter(prefix="/api/v1", tags=["calls"])


@router.get("/rules", response_model=list[PackOut])
def list_packs(_principal: Auth) -> list[PackOut]:
    """The loaded rule packs with their versions, rules and scorecards."""
    return [
        PackOut(
            pack=p.id,
            name=p.spec.name,
            language=p.spec.language,
            version=p.version,
            rules=[
                RuleOut(
                    **r.model_dump(include={"id", "category", "severity", "flag", "description"}),
                    name=localised(p.names(r)),
                    names=p.names(r),
                    about=r.about,
                )
                for r in p.spec.rules
            ],
            scorecard=p.spec.scorecard.model_dump() if p.spec.scorecard else None,
        )
        for p in scoring_service.packs(rules_dir=get_settings().rules_dir)
    ]


@router.get("/rules/operators")
def list_operators(_principal: Auth) -> list[dict[str, Any]]:
    """Every rule operator with its parameters (JSON schema), for rule editors."""
    return registry.describe()


@router.post(
    "/rules/validate",
    response_model=ValidationOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def validate_pack(request: Request, _principal: Managers) -> ValidationOut:
    """Validates a pack (YAML in the body) and runs its test cases; nothing is installed."""
    body = b""
    async for chunk in request.stream():  # read no more than the limit allows
        body += chunk
        if len(body) > pack_module.MAX_PACK_BYTES:
            break
    # Parsing and running the test cases is CPU work: off the event loop, other requests go on.
    return await run_in_threadpool(validation.validate, body)


@router.post(
    "/calls/{call_id}/rescore", response_model=CallAccepted, status_code=status.HTTP_202_ACCEPTED
)
def rescore(call_id: CallId, db_session: DbSession, principal: Managers) -> CallAccepted:
    """Scores the call again with the current pack version; earlier scores are kept."""
    call = calls_service.get_or_raise(db_session=db_session, call_id=call_id, principal=principal)
    scoring_service.check_rescorable(call)
    pipeline.enqueue_scoring(call.id)
    return CallAccepted(id=call.id, status=call.status)


@call_router.get("/calls/{call_id}", response_model=CallOut)
def get_call(
    call_id: CallId,
    db_session: DbSession,
    principal: Auth,
    unredacted: Annotated[
        bool, Query(description="Admins: the unmasked text, where kept.")
    ] = False,
) -> CallOut:
    """A call: status, metadata, and its turns once transcribed (PII masked)."""
    call = calls_service.get_or_raise(db_session=db_session, call_id=call_id, principal=principal)
    turns = speech_service.shown_turns(
        db_session=db_session, call=call, principal=principal, unredacted=unredacted
    )
    shown = [TurnOut.model_validate(t).model_copy(update={"text": text}) for t, text in turns]
    columns = {c.key: getattr(call, c.key) for c in call.__table__.columns}
    out = CallOut.model_validate({**columns, "turns": shown})
    score = scoring_service.latest_score(db_session=db_session, call_id=call.id)
    if score is not None:
        out.score = ScoreOut.model_validate(score)
        out.metrics = scoring_service.metrics_of(db_session=db_session, call_id=call.id)
        out.hits = [
            HitOut.model_validate(h)
            for h in scoring_service.hits(db_session=db_session, score=score)
        ]
        out.rules = [
            RuleStatusOut.model_validate(r)
            for r in scoring_service.rule_results(db_session=db_session, score=score)
        ]
    return out
