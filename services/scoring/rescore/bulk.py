"""Scoring a chunk of calls at once: their turns and activity read in one query each, each call
scored in Python, every result written with multi-row inserts, all in the caller's transaction.

Scoring one call at a time (``service.score_call``) costs a dozen round trips and ORM objects
per call; over a chunk of 1,000 calls this costs a handful of statements.
"""

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import JSON, Table, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from services.calls.service import Call, CallStatus
from services.db import json_dumps, utcnow
from services.scoring import rows
from services.scoring import service as scoring_service
from services.scoring.rules.pack import CompiledPack
from services.scoring.tables import CallMetrics, CallScore, RuleHit, RuleStatus
from services.speech.service import ChannelActivity, Turn

log = logging.getLogger(__name__)


@dataclass
class Counts:
    """What became of a chunk's calls."""

    done: int = 0
    skipped: int = 0  # already scored with the current version of their pack
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def current(packs: list[CompiledPack]) -> Any:
    """Scores under the current version of one of ``packs`` (an SQL condition)."""
    return or_(*(and_(CallScore.pack == p.id, CallScore.pack_version == p.version) for p in packs))


def score_calls(*, db_session: Session, call_ids: list[int], packs: list[CompiledPack]) -> Counts:
    """Scores each of ``call_ids`` with the current version of its pack, unless it has that
    score already; writes results, metrics and each call's status and flag."""
    if not call_ids:
        return Counts()
    with _cycles_collected_after():
        return _score_calls(db_session, call_ids, packs)


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """Holds Python's cycle collector back while a chunk is scored. A chunk makes and drops
    hundreds of thousands of objects (turns, evidence, rows), freed as they go by reference
    counting; each pass of the collector meanwhile walks every object the worker holds, and
    those passes were a sixth of the worker's time. What cycles the chunk leaves are collected
    by the next pass after it."""
    if not gc.isenabled():  # held back already by whoever called
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _score_calls(db_session: Session, call_ids: list[int], packs: list[CompiledPack]) -> Counts:
    counts = Counts()
    calls = db_session.execute(
        select(Call.id, Call.language, Call.duration_s).where(
            Call.id.in_(call_ids), Call.status.in_(scoring_service.SCORABLE)
        )
    ).all()
    scored_already = set(
        db_session.execute(
            select(CallScore.call_id, CallScore.pack).where(
                CallScore.call_id.in_(call_ids), current(packs)
            )
        ).tuples()
    )
    turns, activity = _transcripts(db_session, [c.id for c in calls])
    results: list[tuple[int, rows.ScoredCall]] = []
    for call in calls:
        call_turns = turns.get(call.id, [])
        conv = scoring_service.conversation_of(
            call_turns, activity.get(call.id, []), duration_s=call.duration_s
        )
        pack = scoring_service.choose_pack(packs, call.language, conv)
        if (call.id, pack.id) in scored_already:
            counts.skipped += 1
            continue
        try:
            results.append((call.id, rows.score(call_id=call.id, pack=pack, conv=conv)))
        except Exception as exc:
            # On purpose: one call the rules cannot take (a bad stored transcript) must not
            # stop the thousand beside it; it is counted and named in the job's last error.
            log.exception("re-scoring call %s failed", call.id)
            counts.failed += 1
            counts.errors.append(f"call {call.id}: {type(exc).__name__}: {exc}")
    counts.skipped += len(call_ids) - len(calls)  # no longer scorable
    _write(db_session, results)
    counts.done = len(results)
    return counts


def _transcripts(
    db_session: Session, call_ids: list[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[Any]]]:
    """Every turn (as TURN_FIELDS dicts, in order) and activity row of the calls, by call."""
    turns: dict[int, list[dict[str, Any]]] = {}
    activity: dict[int, list[Any]] = {}
    if not call_ids:
        return turns, activity
    # Core rows, not the ORM's: tens of thousands of them a chunk, and no entity among them.
    table = cast(Table, Turn.__table__)
    columns = [table.c[name] for name in scoring_service.TURN_FIELDS]
    # Fetched at once: iterating the result fetches row by row, a fifth slower.
    for row in (
        db_session.connection()
        .execute(
            select(table.c.call_id, *columns)
            .where(table.c.call_id.in_(call_ids))
            .order_by(table.c.call_id, table.c.idx)
        )
        .all()
    ):
        turns.setdefault(row[0], []).append(
            dict(zip(scoring_service.TURN_FIELDS, row[1:], strict=True))
        )
    for a in db_session.execute(
        select(
            ChannelActivity.call_id,
            ChannelActivity.role,
            ChannelActivity.channel,
            ChannelActivity.regions,
            ChannelActivity.loudness_dbfs,
        )
        .where(ChannelActivity.call_id.in_(call_ids))
        .order_by(ChannelActivity.call_id, ChannelActivity.channel, ChannelActivity.role)
    ):
        activity.setdefault(a.call_id, []).append(a)
    return turns, activity


def _write(db_session: Session, results: list[tuple[int, rows.ScoredCall]]) -> None:
    """Stores the results: one multi-row statement per table."""
    if not results:
        return
    ids = [call_id for call_id, _ in results]
    now = utcnow()
    # Core statements on the tables: plain executemany, without an ORM object per row.
    metrics, statuses, hits, scores, calls = (
        cast(Table, t.__table__) for t in (CallMetrics, RuleStatus, RuleHit, CallScore, Call)
    )
    db_session.execute(delete(metrics).where(metrics.c.call_id.in_(ids)))
    _insert(
        db_session,
        metrics,
        [{"call_id": i, "metrics": r.metrics, "computed_at": now} for i, r in results],
    )
    _insert(db_session, statuses, [s for _, r in results for s in r.statuses])
    _insert(db_session, hits, [h for _, r in results for h in r.hits])
    _insert(db_session, scores, [{**r.score, "created_at": now} for _, r in results])
    # Only the calls that change: most re-scored calls are scored already with the same flag,
    # and rewriting a row of the calls table rewrites its ten indexes too.
    db_session.execute(
        update(calls)
        .where(
            calls.c.id == bindparam("b_id"),
            or_(
                calls.c.status != CallStatus.SCORED,
                calls.c.flagged.is_distinct_from(bindparam("b_flagged")),
            ),
        )
        .values(status=CallStatus.SCORED, flagged=bindparam("b_flagged"), updated_at=now),
        [{"b_id": i, "b_flagged": r.flagged} for i, r in results],
    )


def _insert(db_session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts ``rows`` (dicts with the same keys): with COPY on PostgreSQL, several times
    faster than multi-row INSERTs for the tens of thousands of rows of a chunk; elsewhere (the
    embedded SQLite) with one executemany."""
    if not rows:
        return
    connection = db_session.connection()
    if connection.dialect.name != "postgresql":
        db_session.execute(insert(table), rows)
        return
    names = list(rows[0])
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, names))}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None  # a live connection of the session's transaction
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json_dumps(row[n]) if n in as_json and row[n] is not None else row[n]
                    for n in names
                ]
            )
