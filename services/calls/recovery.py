"""Finding calls whose work was lost: a worker that died mid-transcription, a score never run.

A transcribing call carries a lease (``heartbeat_at``) its worker renews; when the worker dies
the lease runs out and the call goes back to ``received`` to be queued again. Its delivery was
counted when it was claimed, so a recording that kills every worker still ends ``failed``
after ``ZHIJIAN_MAX_DELIVERIES`` tries.
"""

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.calls.tables import Call, CallStatus
from services.db import utcnow


def release_stuck(*, db_session: Session, lease: timedelta) -> list[int]:
    """Calls ``transcribing`` past their lease back to ``received``; returns their ids."""
    cutoff = utcnow() - lease
    stuck = db_session.scalars(
        select(Call)
        .where(
            Call.status == CallStatus.TRANSCRIBING,
            or_(
                Call.heartbeat_at < cutoff,
                and_(Call.heartbeat_at.is_(None), Call.updated_at < cutoff),
            ),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for call in stuck:
        call.status = CallStatus.RECEIVED
        call.heartbeat_at = None
    db_session.flush()
    return [call.id for call in stuck]


def unscored(*, db_session: Session, older_than: timedelta) -> Sequence[int]:
    """Calls transcribed longer ago than ``older_than`` and still not scored (message lost)."""
    return db_session.scalars(
        select(Call.id).where(
            Call.status == CallStatus.TRANSCRIBED, Call.updated_at < utcnow() - older_than
        )
    ).all()
