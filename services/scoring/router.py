"""HTTP endpoints for rule packs, operators, validation and re-scoring."""

from typing import Any

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from services import pipeline
from services.api.auth import Auth, Managers
from services.api.params import CallId, DbSession
from services.calls import service as calls_service
from services.calls.schemas import CallAccepted
from services.config import get_settings
from services.errors import InvalidInput
from services.i18n import _, localised
from services.scoring import service as scoring_service
from services.scoring.rules import pack as pack_module
from services.scoring.rules import packtests, registry
from services.scoring.schemas import PackOut, RuleOut, ValidationOut

router = APIRouter(prefix="/api/v1", tags=["rules"])


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
    return await run_in_threadpool(validate, body)


def validate(body: bytes) -> ValidationOut:
    """A pack's validation: its errors, or its test cases' results."""
    if len(body) > pack_module.MAX_PACK_BYTES:
        raise InvalidInput(
            _("a pack is at most {size_kb} KB", size_kb=pack_module.MAX_PACK_BYTES // 1024)
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(_("the pack must be UTF-8 text")) from None
    try:
        pack = pack_module.parse(text, source="request")
    except pack_module.PackError as exc:
        return ValidationOut(valid=False, errors=exc.errors)
    try:
        count, failures = packtests.run(pack)
    except ValueError as exc:
        return ValidationOut(
            valid=False, errors=[f"test cases: {exc}"], pack=pack.id, version=pack.version
        )
    return ValidationOut(
        valid=not failures,
        errors=[],
        pack=pack.id,
        version=pack.version,
        tests_run=count,
        test_failures=[str(f) for f in failures],
    )


@router.post(
    "/calls/{call_id}/rescore", response_model=CallAccepted, status_code=status.HTTP_202_ACCEPTED
)
def rescore(call_id: CallId, db_session: DbSession, principal: Managers) -> CallAccepted:
    """Scores the call again with the current pack version; earlier scores are kept."""
    call = calls_service.get_or_raise(db_session=db_session, call_id=call_id, principal=principal)
    scoring_service.check_rescorable(call)
    pipeline.enqueue_scoring(call.id)
    return CallAccepted(id=call.id, status=call.status)
