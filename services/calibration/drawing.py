"""Drawing a session's calls at random from the calls reviewed lately."""

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import InvalidInput
from services.i18n import _
from services.people.service import Principal
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.service import Evaluation


def reviewed_calls(*, db_session: Session, principal: Principal, days: int) -> list[int]:
    """The calls with an evaluation in force written in the last ``days`` days that the
    principal may see, by id: the database filters, however many evaluations there are."""
    since = utcnow() - timedelta(days=days)
    query = (
        select(Evaluation.call_id)
        .where(
            evaluations.visible_to(principal),
            Evaluation.superseded_by.is_(None),
            Evaluation.created_at >= since,
        )
        .distinct()
        .order_by(Evaluation.call_id)
    )
    return list(db_session.scalars(query))


def draw_calls(
    *, db_session: Session, principal: Principal, days: int, count: int, seed: int
) -> list[int]:
    """``count`` calls drawn at random from the evaluations of the last ``days`` days; the
    same seed over the same calls draws the same ones."""
    pool = reviewed_calls(db_session=db_session, principal=principal, days=days)
    if len(pool) < count:
        raise InvalidInput(
            _(
                "only {count} calls were reviewed in the last {days} days",
                count=len(pool),
                days=days,
            )
        )
    return random.Random(seed).sample(pool, count)
