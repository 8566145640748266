"""HTTP endpoints of coachings: recording, listing, deleting them, and their effect."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from services.api.auth import Auth
from services.api.params import DbSession
from services.reports import coachings, service, tabulate
from services.reports.router import First, Last, TableFormat, table_response
from services.reports.schemas import CoachingIn, CoachingOut

coaching_router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@coaching_router.post("/coachings", status_code=201)
def record_coaching(principal: Auth, db_session: DbSession, body: CoachingIn) -> CoachingOut:
    """Records a coaching (training leads, QA managers, admins): who, for which rules, when."""
    coaching = coachings.record(db_session, principal, **body.model_dump())
    return CoachingOut.model_validate(coaching)


@coaching_router.get("/coachings")
def list_coachings(
    principal: Auth, db_session: DbSession, first: First, last: Last
) -> list[CoachingOut]:
    """The coachings held in the period, newest first."""
    rows = coachings.listed(db_session, principal, first=first, last=last)
    return [CoachingOut.model_validate(c) for c in rows]


@coaching_router.delete("/coachings/{coaching_id}", status_code=204)
def delete_coaching(
    principal: Auth, db_session: DbSession, coaching_id: Annotated[int, Path(ge=1)]
) -> Response:
    """Deletes a coaching recorded by mistake."""
    coachings.delete(db_session, principal, coaching_id)
    return Response(status_code=204)


Window = Annotated[int, Query(ge=1, le=26, description="weeks before and after")]


@coaching_router.get("/coaching-effect", response_model=None)
def coaching_effect(
    principal: Auth,
    db_session: DbSession,
    first: First,
    last: Last,
    window_weeks: Window = 4,
    format: TableFormat = "json",
) -> dict[str, Any] | Response:
    """Each coaching of the period with its effect on the coached agents' violation rate
    against their teams' uncoached agents (difference-in-differences, 95 % interval)."""
    service.visible(principal, first=first, last=last, team=None, agent_id=None)
    held = coachings.listed(db_session, principal, first=first, last=last)
    results = [coachings.effect(db_session, c, window_weeks=window_weeks) for c in held]
    if format != "json":
        table = tabulate.coachings_table(results, title="辅导效果 Coaching effect")
        return table_response(table, format, "coaching-effect")
    return {
        "window_weeks": window_weeks,
        "rows": [
            {
                "coaching": CoachingOut.model_validate(r.coaching).model_dump(mode="json"),
                "effect": asdict(r.effect) if r.effect else None,
                "reason": r.reason,
            }
            for r in results
        ],
    }
