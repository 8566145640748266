"""Keeps the daily rollups (tables.py) up to date with the scores, and says what a violation is.

Each report first folds in the scores stored since the last fold: the days those scores' calls
fall on are recomputed from the rows, so a call scored again (a new pack version) moves from its
old counts to its new ones. A day's rows are recomputed whole, which keeps the rollup equal to
what a query over every call would give. PostgreSQL only (time zones, DISTINCT ON).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from services.config import get_settings
from services.reports.months import month_start, next_month


def current_scores(narrow: str = "") -> str:
    """SQL of each call's current score, its newest (older pack versions' scores are kept),
    for the calls started in [:lo, :hi) and meeting ``narrow`` (fixed SQL on calls c)."""
    return f"""
    SELECT DISTINCT ON (s.call_id) s.id, s.call_id, s.pack, s.pack_version, s.percent, s.flagged
    FROM scores s JOIN calls c ON c.id = s.call_id
    WHERE c.started_at >= :lo AND c.started_at < :hi {narrow}
    ORDER BY s.call_id, s.created_at DESC, s.id DESC
"""  # noqa: S608 - fixed fragments; values are bound parameters


# What a violation is, in this one place: a condition on a rule's result r on the call's
# current score, so a rule counts once per call however many hits it has. Today a machine rule
# hit. A correlated EXISTS is one index lookup a row, whatever the planner guesses of the rows.
VIOLATED = """EXISTS (
    SELECT 1 FROM hits h WHERE h.call_id = r.call_id AND h.pack = r.pack
        AND h.pack_version = r.pack_version AND h.rule_id = r.rule_id)"""

# The rules measured on the current scores (hit or pass, not "not measurable"): opportunities.
MEASURED = """r.call_id = cur.call_id AND r.pack = cur.pack AND r.pack_version = cur.pack_version
    AND r.status <> 'not_measurable'"""

DAY = "(c.started_at AT TIME ZONE :tz)::date"

BINS = 10  # the score distribution: 0–10 %, 10–20 % … 90–100 % (100 in the last)
# Each scored call's bin, 0 … BINS − 1 (width_bucket gives BINS + 1 to a percent of 100); none
# without a percent (least and greatest pass over a NULL, so it is kept out first).
SCORE_BIN = (
    f"CASE WHEN cur.percent IS NOT NULL THEN "
    f"greatest(least(width_bucket(cur.percent, 0, 100, {BINS}), {BINS}), 1) - 1 END"
)

AGENT_DAYS = f"""
    WITH current AS ({current_scores()})
    INSERT INTO report_agent_days
        (day, agent_id, team, calls, flagged, violating, scored, score_sum, score_sq_sum,
         {", ".join(f"score_bin_{i}" for i in range(BINS))})
    SELECT day, agent_id, team, count(*), count(*) FILTER (WHERE flagged),
           count(*) FILTER (WHERE violating), count(percent), coalesce(sum(percent), 0),
           coalesce(sum(percent * percent), 0),
           {", ".join(f"count(*) FILTER (WHERE bin = {i})" for i in range(BINS))}
    FROM (
        SELECT {DAY} AS day, coalesce(c.agent_id, '') AS agent_id,
               coalesce(c.team, '') AS team, cur.flagged, cur.percent, {SCORE_BIN} AS bin,
               EXISTS (SELECT 1 FROM rule_results r WHERE {MEASURED} AND {VIOLATED}) AS violating
        FROM current cur JOIN calls c ON c.id = cur.call_id
    ) per_call
    GROUP BY 1, 2, 3
"""  # noqa: S608 - fixed fragments; values are bound parameters

RULE_DAYS = f"""
    WITH current AS ({current_scores()})
    INSERT INTO report_rule_days
        (day, agent_id, team, rule_id, category, opportunities, violations)
    SELECT day, agent_id, team, rule_id, min(category), count(*), count(*) FILTER (WHERE violated)
    FROM (
        SELECT {DAY} AS day, coalesce(c.agent_id, '') AS agent_id,
               coalesce(c.team, '') AS team, r.rule_id, r.category, {VIOLATED} AS violated
        FROM current cur JOIN calls c ON c.id = cur.call_id JOIN rule_results r ON {MEASURED}
    ) per_rule
    GROUP BY 1, 2, 3, 4
"""  # noqa: S608 - fixed fragments; values are bound parameters

# A month's rows are its days' sum, recomputed whole like a day's (a few thousand rows).
RULE_MONTHS = """
    INSERT INTO report_rule_months
        (month, agent_id, team, rule_id, category, opportunities, violations)
    SELECT :month, agent_id, team, rule_id, min(category), sum(opportunities), sum(violations)
    FROM report_rule_days WHERE day >= :month AND day < :next
    GROUP BY agent_id, team, rule_id
"""

# A fold that redid more days than this changed a good part of the rollups (a bulk import, the
# first fold after an upgrade): their statistics are renewed at once, or the planner, reckoning
# with the few rows it last saw, sorts a quarter's rows on disk instead of hashing them.
ANALYZE_AFTER_DAYS = 7

# One fold at a time: two would recompute the same days at once.
LOCK_KEY = 0x7A6A1610


def center_zone() -> ZoneInfo:
    """The center's time zone, which days and weeks follow."""
    return ZoneInfo(get_settings().center_timezone)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC-comparable start of ``first`` and end of ``last`` in the center's zone."""
    zone = center_zone()
    return (
        datetime.combine(first, time(), zone),
        datetime.combine(last + timedelta(days=1), time(), zone),
    )


def refresh_days(db_session: Session, days: set[date]) -> None:
    """Recomputes the rollup rows of ``days`` from the calls, scores and hits, and the month
    rows of their months from the days."""
    tz = get_settings().center_timezone
    for day in sorted(days):
        lo, hi = day_bounds(day, day)
        for table in ("report_agent_days", "report_rule_days"):
            db_session.execute(text(f"DELETE FROM {table} WHERE day = :day"), {"day": day})  # noqa: S608 - fixed names
        params = {"lo": lo, "hi": hi, "tz": tz}
        db_session.execute(text(AGENT_DAYS), params)
        db_session.execute(text(RULE_DAYS), params)
    for month in sorted({month_start(day) for day in days}):
        db_session.execute(
            text("DELETE FROM report_rule_months WHERE month = :month"), {"month": month}
        )
        db_session.execute(text(RULE_MONTHS), {"month": month, "next": next_month(month)})
    if len(days) > ANALYZE_AFTER_DAYS:
        db_session.execute(text("ANALYZE report_agent_days, report_rule_days, report_rule_months"))
    db_session.flush()


def catch_up(db_session: Session, *, wait: bool = True, limit: int | None = None) -> int:
    """Folds in the scores stored since the last fold; returns how many days were redone.

    ``wait=False`` gives up at once when another fold is under way (a report request reads
    what is there rather than queue behind the workers); ``limit`` leaves a backlog of more
    scores than that to the workers. Both return 0 without folding.
    """
    if wait:
        db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    elif not db_session.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
    ).scalar():
        return 0
    mark = db_session.execute(text("SELECT score_id FROM report_rollup_mark WHERE id = 1")).scalar()
    if limit is not None:
        pending = db_session.execute(
            text("SELECT count(*) FROM (SELECT 1 FROM scores WHERE id > :mark LIMIT :n) p"),
            {"mark": mark or 0, "n": limit + 1},
        ).scalar_one()
        if pending > limit:
            return 0
    newest = db_session.execute(text("SELECT max(id) FROM scores")).scalar()
    if newest is None or (mark is not None and newest <= mark):
        return 0
    days = db_session.execute(
        text(
            f"SELECT DISTINCT {DAY} FROM scores s JOIN calls c ON c.id = s.call_id "  # noqa: S608
            "WHERE s.id > :mark AND c.started_at IS NOT NULL"
        ),
        {"mark": mark or 0, "tz": get_settings().center_timezone},
    ).scalars()
    found = set(days)
    refresh_days(db_session, found)
    db_session.execute(
        text(
            "INSERT INTO report_rollup_mark (id, score_id) VALUES (1, :newest) "
            "ON CONFLICT (id) DO UPDATE SET score_id = excluded.score_id"
        ),
        {"newest": newest},
    )
    db_session.flush()
    return len(found)


def fold_for_read(db_session: Session) -> int:
    """What a report request does before reading: folds in a few new scores (today's calls
    scored since the workers' last fold), never a backlog, never waiting for the workers."""
    return catch_up(db_session, wait=False, limit=get_settings().report_read_fold_max)


def recompute_recent(db_session: Session, *, days: int = 2, today: date | None = None) -> int:
    """Recomputes the last ``days`` center days whole (today included), whatever the mark says.

    The mark folds by score id; a score whose id was taken before a newer one's but committed
    after the fold (parallel scoring) is behind the mark and would be missed. Recomputing the
    recent days whole puts it in; it is also the repair after a day's rows were changed by hand.
    """
    db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    last = today or datetime.now(center_zone()).date()
    refresh_days(db_session, {last - timedelta(days=n) for n in range(days)})
    return days
