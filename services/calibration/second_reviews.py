"""Second reviewers for inspectors flagged for recalibration: the QA manager's choice of a
share of the inspector's reviews, in force while the inspector stays flagged.

Review assignment does not read these choices yet: it still has to give the chosen share of the
inspector's submitted reviews to a second inspector while ``active`` is true.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calibration import results
from services.calibration import service as sessions
from services.calibration.agreement.sessions import WINDOW_DAYS
from services.calibration.tables import SecondReview
from services.db import aware, utcnow
from services.errors import NotFound
from services.i18n import _
from services.people import service as people_service
from services.people.service import Principal
from services.people.tables import Role, User


def flagged(*, db_session: Session, as_of: datetime | None = None) -> set[str]:
    """The inspectors flagged for recalibration now (over the default 90-day window)."""
    found = results.report(
        db_session=db_session,
        as_of=as_of or utcnow(),
        days=WINDOW_DAYS,
        team=None,
    )
    return {name for name, row in found["inspectors"].items() if row["flagged"]}


def choose_second_review(
    *, db_session: Session, principal: Principal, username: str, share: float, note: str
) -> SecondReview:
    """The manager's choice: ``share`` of the inspector's reviews get a second reviewer while
    they stay flagged for recalibration (0 withdraws it)."""
    sessions.check_manager(principal)
    user = people_service.get_by_username(db_session=db_session, username=username)
    if user is None or user.role != Role.INSPECTOR:
        raise NotFound(_("no inspector {username!r}", username=username))
    row = db_session.get(SecondReview, user.id) or SecondReview(inspector_id=user.id)
    row.share, row.note, row.chosen_by, row.chosen_at = share, note, principal.username, utcnow()
    db_session.add(row)
    db_session.flush()
    return row


def second_reviews(*, db_session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every choice, with whether it applies now: the inspector is still flagged."""
    sessions.check_manager(principal)
    now_flagged = flagged(db_session=db_session)
    rows = db_session.scalars(select(SecondReview).order_by(SecondReview.inspector_id))
    out = []
    for row in rows:
        user = db_session.get(User, row.inspector_id)
        assert user is not None  # a choice goes with its inspector (ON DELETE CASCADE)
        out.append(
            {
                "inspector": user.username,
                "share": row.share,
                "note": row.note,
                "chosen_by": row.chosen_by,
                "chosen_at": aware(row.chosen_at),
                "flagged": user.username in now_flagged,
                "active": row.share > 0 and user.username in now_flagged,
            }
        )
    return out
