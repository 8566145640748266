"""What a revealed session shows, and what the sessions of a window say about each inspector.

The gold standard is the expert's answer; in consensus mode the facilitator's agreed answer, or,
before one is recorded, the participants' median total and most common answer to each item.
Statistics, drift and the recalibration flag come from services/calibration/agreement, fed the
sessions as plain data.
"""

from collections import Counter
from dataclasses import asdict
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calibration import agreement
from services.calibration import service as sessions
from services.calibration.tables import (
    CalibrationAnswer,
    CalibrationCall,
    CalibrationSession,
    Mode,
)
from services.errors import InvalidInput, NotFound
from services.i18n import _
from services.people.service import Principal

CONSENSUS = "(consensus)"  # the gold's rater in consensus mode; usernames have no brackets
STATUSES = ("pass", "hit", "not_applicable")
Answers = dict[tuple[int, str], CalibrationAnswer]  # (call id, username) → answer


def answers(*, db_session: Session, session: CalibrationSession) -> Answers:
    """Every saved answer of the session, by call and participant."""
    names = {
        p.user_id: p.username for p in sessions.participants(db_session=db_session, session=session)
    }
    rows = db_session.scalars(
        select(CalibrationAnswer).where(CalibrationAnswer.session_id == session.id)
    )
    return {(r.call_id, names[r.user_id]): r for r in rows}


def expert_name(*, db_session: Session, session: CalibrationSession) -> str:
    """The gold's rater: the expert's username, or CONSENSUS."""
    if session.mode == Mode.CONSENSUS or session.expert_id is None:
        return CONSENSUS
    place = sessions.participant(db_session=db_session, session=session, user_id=session.expert_id)
    assert place is not None  # the expert is a participant from the start
    return place.username


def gold(
    call: CalibrationCall, given: dict[str, CalibrationAnswer], expert: str
) -> dict[str, Any] | None:
    """The call's gold answer (items by id, total, source), or None where there is none yet.

    With an expert it is the expert's answer, also once the facilitator records the agreed one
    (that is shown beside it): the statistics measure inspectors against the expert.
    """
    if expert != CONSENSUS:
        if expert not in given:
            return None
        items, total, source = given[expert].items, given[expert].total, "expert"
    elif call.agreed is not None:
        items, total, source = call.agreed["items"], call.agreed["total"], "agreed"
    else:
        if not given:
            return None
        rows = list(given.values())
        items = [_most_common(k, item["id"], rows) for k, item in enumerate(call.items)]
        total, source = float(median(a.total for a in rows)), "median"
    return {"source": source, "total": total, "items": {i["id"]: _answer(i) for i in items}}


def _answer(item: dict[str, Any]) -> dict[str, Any]:
    return {"status": item["status"], "earned": item["earned"]}


def _most_common(k: int, item_id: str, rows: list[CalibrationAnswer]) -> dict[str, Any]:
    votes = Counter((a.items[k]["status"], a.items[k]["earned"]) for a in rows)
    (status, earned), _count = votes.most_common(1)[0]
    return {"id": item_id, "status": status, "earned": earned}


def comparison(*, db_session: Session, session: CalibrationSession) -> dict[str, Any]:
    """Per call and item every answer next to the gold, disagreements marked; per participant
    the deviation of each total from the gold's (points and % of the maximum) and the session's
    standing against the tolerance."""
    expert = expert_name(db_session=db_session, session=session)
    saved = answers(db_session=db_session, session=session)
    people = [
        p.username
        for p in sessions.participants(db_session=db_session, session=session)
        if p.username != expert
    ]
    out_calls = []
    for call in sessions.calls(db_session=db_session, session=session):
        given = {name: a for (call_id, name), a in saved.items() if call_id == call.call_id}
        best = gold(call, given, expert)
        out_calls.append(_call(call, given, best, people, session.tolerance))
    standing = _standings(db_session=db_session, session=session, saved=saved)
    return {
        "session_id": session.id,
        "mode": session.mode,
        "tolerance": session.tolerance,
        "maximum": _maximum(sessions.calls(db_session=db_session, session=session)),
        "revealed_at": session.revealed_at,
        "calls": out_calls,
        "participants": [
            {"username": name, **_standing_out(standing.get(name))} for name in people
        ],
    }


def _call(
    call: CalibrationCall,
    given: dict[str, CalibrationAnswer],
    best: dict[str, Any] | None,
    people: list[str],
    tolerance: float,
) -> dict[str, Any]:
    items = []
    agreed = {i["id"]: _answer(i) for i in call.agreed["items"]} if call.agreed else {}
    for k, item in enumerate(call.items):
        truth = best["items"].get(item["id"]) if best else None
        theirs = {n: _answer(given[n].items[k]) for n in people if n in given}
        items.append(
            {
                "id": item["id"],
                "name": item["name"],
                "points": item["points"],
                "gold": truth,
                "agreed": agreed.get(item["id"]),
                "answers": theirs,
                "disagree": sorted(n for n, a in theirs.items() if truth and a != truth),
            }
        )
    totals = {}
    for name in people:
        if name not in given:
            continue
        mine = given[name]
        row: dict[str, Any] = {"total": mine.total, "maximum": mine.maximum}
        if best is not None:
            off = round(mine.total - best["total"], 2)
            row |= {
                "deviation": off,
                "percent": round(100 * off / mine.maximum, 1) if mine.maximum else None,
                "within": abs(off) <= tolerance * mine.maximum,
            }
        totals[name] = row
    return {
        "position": call.position,
        "gold": best and {"source": best["source"], "total": best["total"]},
        "items": items,
        "totals": totals,
        "agreed": call.agreed
        and {
            **{k: call.agreed[k] for k in ("total", "notes", "by")},
            "at": datetime.fromisoformat(call.agreed["at"]),  # stored as text in the JSON
        },
    }


def _maximum(calls: list[CalibrationCall]) -> float:
    """The scorecard's maximum: the tolerance is a share of it."""
    return max((float(sum(i["points"] for i in c.items)) for c in calls), default=0.0)


def as_result(
    *, db_session: Session, session: CalibrationSession, saved: Answers | None = None
) -> agreement.SessionResult:
    """The session as the statistics read it: item answers (pass / hit / not applicable) and
    totals of every participant and of the gold."""
    expert = expert_name(db_session=db_session, session=session)
    saved = saved if saved is not None else answers(db_session=db_session, session=session)
    found, totals = [], []
    maximum = 0.0
    for call in sessions.calls(db_session=db_session, session=session):
        maximum = max(maximum, _maximum([call]))
        given = {name: a for (call_id, name), a in saved.items() if call_id == call.call_id}
        raters = {
            name: {i["id"]: i for i in a.items} for name, a in given.items() if name != expert
        }
        best = gold(call, given, expert)
        unit = str(call.call_id)
        for name, a in given.items():
            if name != expert:
                totals.append(agreement.Total(unit, name, a.total))
        if best is not None:
            totals.append(agreement.Total(unit, expert, best["total"]))
            raters[expert] = best["items"]
        found += [
            agreement.Answer(unit, item_id, name, item["status"])
            for name, items in raters.items()
            for item_id, item in items.items()
        ]
    return agreement.SessionResult(
        session_id=str(session.id),
        held_at=sessions.held_at(session),
        team=session.team or "",
        expert=expert,
        max_score=maximum or 1.0,
        answers=tuple(found),
        totals=tuple(totals),
    )


def _standings(
    *, db_session: Session, session: CalibrationSession, saved: Answers
) -> dict[str, agreement.Standing]:
    """Each inspector's standing in this one session against the gold."""
    result = as_result(db_session=db_session, session=session, saved=saved)
    found = {}
    for name in result.inspectors:
        course = agreement.series([result], inspector=name, tolerance=session.tolerance)
        if course:
            found[name] = course[0]
    return found


def _standing_out(standing: agreement.Standing | None) -> dict[str, Any]:
    if standing is None:
        return {"calls": 0, "bias": None, "within_tolerance": None, "outside_tolerance": None}
    return {
        "calls": standing.calls,
        "bias": standing.bias and asdict(standing.bias),
        "within_tolerance": standing.within_tolerance,
        "outside_tolerance": standing.outside_tolerance,
    }


def revealed(*, db_session: Session, team: str | None = None) -> list[agreement.SessionResult]:
    """Every revealed session (of one team if given) as the statistics read it."""
    query = select(CalibrationSession)
    if team is not None:
        query = query.where(CalibrationSession.team == team)
    return [
        as_result(db_session=db_session, session=s)
        for s in db_session.scalars(query.order_by(CalibrationSession.id))
        if sessions.is_revealed(s)
    ]


def report(*, db_session: Session, as_of: datetime, days: int, team: str | None) -> dict[str, Any]:
    """The window's pooled statistics, each inspector's course and who needs recalibration.

    Sessions may differ in tolerance; the flag uses the strictest of the window's.
    """
    if as_of.tzinfo is None:
        raise InvalidInput(_("as_of needs a time zone"))
    results = revealed(db_session=db_session, team=team)
    window = agreement.in_window(results, as_of=as_of, days=days)
    item_ids = sorted({a.item_id for s in window for a in s.answers})
    scales = {i: agreement.Scale("nominal", STATUSES) for i in item_ids}
    pooled = agreement.pool(window, scales=scales, as_of=as_of, days=days)
    tolerance = min(
        (t for (t,) in db_session.execute(_tolerances(window))), default=sessions.DEFAULT_TOLERANCE
    )
    flags = agreement.recalibration(window, tolerance=tolerance)
    return {
        "as_of": as_of,
        "days": days,
        "team": team,
        "tolerance": tolerance,
        "sessions": list(pooled.sessions),
        "items": {i: {k: asdict(e) for k, e in stats.items()} for i, stats in pooled.items.items()},
        "totals": {k: asdict(e) for k, e in pooled.totals.items()},
        "inspectors": {
            name: {
                **asdict(p),
                "flagged": flags[name].flagged if name in flags else False,
                "series": [
                    _standing_out(st) | {"session_id": st.session_id, "held_at": st.held_at}
                    for st in agreement.series(window, inspector=name, tolerance=tolerance)
                ],
            }
            for name, p in pooled.inspectors.items()
        },
    }


def _tolerances(window: list[agreement.SessionResult]) -> Any:
    ids = [int(s.session_id) for s in window]
    return select(CalibrationSession.tolerance).where(CalibrationSession.id.in_(ids))


def gold_for(
    *,
    db_session: Session,
    session: CalibrationSession,
    call: CalibrationCall,
    principal: Principal,
) -> dict[str, Any]:
    """One call's gold answer; NotFound to a participant before the reveal, or where none is."""
    sessions.check_revealed(session, principal)
    expert = expert_name(db_session=db_session, session=session)
    saved = answers(db_session=db_session, session=session)
    given = {name: a for (call_id, name), a in saved.items() if call_id == call.call_id}
    best = gold(call, given, expert)
    if best is None:
        raise NotFound(_("call {position} has no gold answer yet", position=call.position))
    return {"position": call.position, **best}
