"""Monitor rotation over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth import Managers, Reviewers
from services.api.params import DbSession
from services.qa.rotation import service as rotation_service
from services.qa.rotation.schemas import AssignmentOut, PeriodOut, RotationIn
from services.qa.rotation.tables import RotationPeriod

router = APIRouter(prefix="/api/v1/rotation", tags=["qa"])


def _period_out(db_session: DbSession, period: RotationPeriod) -> PeriodOut:
    rows = rotation_service.named_assignments(db_session=db_session, period=period)
    return PeriodOut(
        id=period.id,
        start=period.start,
        end=period.end,
        applied_at=period.applied_at,
        assignments=[
            AssignmentOut(
                area_id=r.area_id,
                area=area,
                user_id=r.user_id,
                username=username,
                workload=r.workload,
            )
            for r, area, username in rows
        ],
    )


@router.get("", response_model=list[PeriodOut])
def rotation_plan(
    db_session: DbSession,
    _principal: Reviewers,
    limit: Annotated[int, Query(ge=1, le=100)] = 8,
) -> list[PeriodOut]:
    """The current rotation plan first, then the history."""
    return [
        _period_out(db_session, p)
        for p in rotation_service.history(db_session=db_session, limit=limit)
    ]


@router.post("", response_model=PeriodOut, status_code=201)
def plan_rotation(body: RotationIn, db_session: DbSession, principal: Managers) -> PeriodOut:
    """Plans the next period (a center week by default): every area to a new inspector,
    workload balanced; the inspectors' current areas become the plan's."""
    start, end = rotation_service.center_period(body.start, body.end)
    period = rotation_service.plan_period(
        db_session=db_session, start=start, end=end, created_by=principal.username
    )
    return _period_out(db_session, period)
