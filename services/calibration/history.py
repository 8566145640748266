"""One inspector's calibration history: their standing in each revealed session of the window
(bias with its interval, agreement with the gold's item answers, within tolerance or not), what
the window pools to, and whether, and why, they are flagged for recalibration.

The window, the tolerance (the strictest of the window's sessions) and the rule are the pooled
report's (results.report), so the history and the report flag the same inspectors. QA managers
see everyone's history; an inspector only their own; anyone else nothing (NotFound).
"""

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calibration import agreement, results
from services.calibration import service as sessions
from services.calibration.agreement.ratings import in_order_seen
from services.calibration.tables import CalibrationSession
from services.errors import InvalidInput, NotFound
from services.i18n import _
from services.people import service as people_service
from services.people.service import Principal, Role, User

# The recalibration rule's own defaults (outside tolerance in 2 of the last 3 sessions, a
# session outside when fewer than 80 % of its calls are within): read, not copied, so that the
# page explains the rule the report applies.
RULE = {
    key: value
    for key, value in (agreement.recalibration.__kwdefaults__ or {}).items()
    if key in ("outside", "last", "min_within")
}


def inspector_or_raise(*, db_session: Session, principal: Principal, username: str) -> User:
    """The inspector whose history the principal may see: anyone's for QA managers, their own
    for an inspector; NotFound otherwise, as for a page that is not there."""
    missing = NotFound(_("no calibration history for {username!r}", username=username))
    if principal.role not in Role.MANAGERS and not (
        principal.role == Role.INSPECTOR and principal.username == username
    ):
        raise missing
    user = people_service.get_by_username(db_session=db_session, username=username)
    if user is None or user.role not in (Role.INSPECTOR, *Role.MANAGERS):
        raise missing
    return user


def history(*, db_session: Session, user: User, as_of: datetime, days: int) -> dict[str, Any]:
    """The inspector's course over the window's revealed sessions, oldest first, the pooled
    bias and agreement, and the recalibration flag with the recent sessions behind it."""
    if as_of.tzinfo is None:
        raise InvalidInput(_("as_of needs a time zone"))
    start = as_of - timedelta(days=days)
    window = [
        s
        for s in db_session.scalars(select(CalibrationSession).order_by(CalibrationSession.id))
        if sessions.is_revealed(s) and start < sessions.held_at(s) <= as_of
    ]
    tolerance = min((s.tolerance for s in window), default=sessions.DEFAULT_TOLERANCE)
    # Sessions they scored in, not those where they were the expert (the gold itself).
    theirs = [
        s
        for s in window
        if s.expert_id != user.id
        and sessions.participant(db_session=db_session, session=s, user_id=user.id)
    ]
    found = [results.as_result(db_session=db_session, session=s) for s in theirs]
    course = agreement.series(
        found, inspector=user.username, tolerance=tolerance, min_within=RULE["min_within"]
    )
    flag = agreement.recalibration(found, tolerance=tolerance, **RULE).get(user.username)
    recent = {st.session_id for st in flag.recent} if flag else set()
    by_id = {str(s.id): s for s in theirs}
    limits = {r.session_id: tolerance * r.max_score for r in found}
    return {
        "inspector": user.username,
        "as_of": as_of,
        "days": days,
        "tolerance": tolerance,
        "rule": RULE,
        "series": [
            {
                "session_id": int(st.session_id),
                "title": by_id[st.session_id].title,
                "held_at": st.held_at,
                "calls": st.calls,
                "bias": _as_dict(st.bias),
                "limit": limits[st.session_id],
                "within_tolerance": st.within_tolerance,
                "item_agreement": _as_dict(st.item_agreement),
                "outside_tolerance": st.outside_tolerance,
                "recent": st.session_id in recent,
            }
            for st in course
        ],
        "flagged": bool(flag and flag.flagged),
        "outside_recent": sum(st.outside_tolerance for st in flag.recent) if flag else 0,
        "pooled": _pooled(found, user.username),
    }


def _pooled(found: list[agreement.SessionResult], inspector: str) -> dict[str, Any]:
    """Bias on totals and agreement with the gold's item answers over the whole window."""
    scores, gold = agreement.against_expert(found, inspector=inspector)
    pairs = agreement.answers_against_expert(found, inspector=inspector)
    shift = _defined(agreement.bias, scores, gold)
    categories = in_order_seen(pairs)
    return {
        "bias": _as_dict(shift),
        "leaning": agreement.leaning(shift) if shift is not None else "none",
        "agreement": _as_dict(_defined(agreement.percent_agreement, pairs, categories=categories)),
        "ac1": _as_dict(_defined(agreement.gwet_ac, pairs, categories=categories)),
    }


def _defined(
    compute: Callable[..., agreement.Estimate], *args: Any, **kwargs: Any
) -> agreement.Estimate | None:
    try:
        return compute(*args, **kwargs)
    except agreement.UndefinedStatistic:
        return None


def _as_dict(estimate: agreement.Estimate | None) -> dict[str, Any] | None:
    return asdict(estimate) if estimate is not None else None
