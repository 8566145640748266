"""GET /api/v1/audit: the audit log, for admins and QA managers."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth import Managers
from services.api.params import DbSession
from services.audit import service as audit_service
from services.audit.schemas import AuditOut
from services.types import MAX_ID

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", response_model=list[AuditOut])
def list_audit(
    db_session: DbSession,
    _principal: Managers,
    action: Annotated[str | None, Query(max_length=64)] = None,
    call_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    username: Annotated[str | None, Query(max_length=150)] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The last id of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditOut]:
    """Audit entries newest first: who listened to which call, when and from where."""
    entries = audit_service.get_all(
        db_session=db_session,
        action=action,
        call_id=call_id,
        username=username,
        before=before,
        limit=limit,
    )
    return [AuditOut.model_validate(e) for e in entries]
