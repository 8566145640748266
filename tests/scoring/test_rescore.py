"""Bulk re-scoring: a job takes the calls its selectors choose, scores them in chunks with the
current pack version, counts its progress, resumes without scoring a call twice, and says
clearly what is wrong with selectors that cannot select anything."""

import gc
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.config import get_settings
from services.db import get_engine, upgrade_schema
from services.errors import InvalidInput, NotFound
from services.scoring import service as scoring_service
from services.scoring.rescore import bulk
from services.scoring.rescore import service as rescore_service
from services.scoring.rescore.selection import Selection
from services.scoring.rescore.tables import JobState
from services.scoring.tables import CallScore
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _old_scored(db_session, *, lines=factories.FORBIDDEN, version="old-1", **fields):
    """A transcribed call scored with an older version of the Chinese pack."""
    made = factories.call_with_turns(db_session, lines=lines, **fields)
    made.status = "scored"
    factories.call_score(db_session, made, pack="zh-service", pack_version=version)
    return made


def _current(db_session, call_id: int) -> list[CallScore]:
    versions = {p.id: p.version for p in rescore_service.loaded_packs(get_settings().rules_dir)}
    return [
        s
        for s in scoring_service.scores(db_session=db_session, call_id=call_id)
        if versions.get(s.pack) == s.pack_version
    ]


def _run_all(db_session, job_id: int) -> None:
    """Runs the job's chunks here, as the workers would."""
    for chunk_id in rescore_service.pending_chunks(db_session=db_session, job_id=job_id):
        rescore_service.run_chunk(
            db_session=db_session, chunk_id=chunk_id, rules_dir=get_settings().rules_dir
        )


def _job(db_session, **selectors):
    chunk_size = selectors.pop("chunk_size", 1000)
    return rescore_service.create_job(
        db_session=db_session,
        chosen=Selection(**selectors),
        rules_dir=get_settings().rules_dir,
        created_by="test",
        chunk_size=chunk_size,
    )


def test_a_job_over_a_period_and_a_team_rescores_only_those_calls(db_session):
    team, other = factories.unique("team"), factories.unique("team")
    # November 2026 on the center's clock (Shanghai, UTC+8): the edges are its midnights.
    first = _old_scored(
        db_session, team=team, started_at=datetime(2026, 11, 1, 0, 10, tzinfo=SHANGHAI)
    )
    last = _old_scored(
        db_session, team=team, started_at=datetime(2026, 11, 30, 23, 50, tzinfo=SHANGHAI)
    )
    early = _old_scored(
        db_session, team=team, started_at=datetime(2026, 10, 31, 23, 50, tzinfo=SHANGHAI)
    )
    late = _old_scored(
        db_session, team=team, started_at=datetime(2026, 12, 1, 0, 10, tzinfo=SHANGHAI)
    )
    elsewhere = _old_scored(db_session, team=other, started_at=datetime(2026, 11, 15, tzinfo=UTC))

    job = _job(db_session, since=date(2026, 11, 1), until=date(2026, 11, 30), team=team)
    assert (job.total, job.chunks, job.state) == (2, 1, JobState.QUEUED)
    _run_all(db_session, job.id)

    db_session.refresh(job)
    assert (job.done, job.skipped, job.failed, job.chunks_done) == (2, 0, 0, 1)
    assert job.state == JobState.DONE and job.finished_at is not None
    for call in (first, last):
        (score,) = _current(db_session, call.id)
        assert score.pack == "zh-service"
        # The forbidden phrase is found again, under the new version, with its evidence.
        hits = scoring_service.hits(db_session=db_session, score=score)
        assert any(h.rule_id == "forbidden_phrase" for h in hits)
        # The old score is kept beside the new one.
        assert {
            s.pack_version for s in scoring_service.scores(db_session=db_session, call_id=call.id)
        } == {"old-1", score.pack_version}
    for call in (early, late, elsewhere):
        assert _current(db_session, call.id) == []


@pytest.fixture
def embedded_session(tmp_path: Path) -> Iterator[Session]:
    """A session on an embedded SQLite database of the test's own (what `zhijian up` uses)."""
    url = f"sqlite:///{tmp_path / 'zhijian.db'}"
    upgrade_schema(url)
    engine = get_engine(url)
    try:
        with sessionmaker(bind=engine, expire_on_commit=False)() as session:
            yield session
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_bulk_scoring_stores_what_scoring_one_call_stores(database, request):
    # PostgreSQL writes a chunk with COPY, SQLite with executemany: both store the same.
    db_session = request.getfixturevalue(
        "db_session" if database == "postgresql" else "embedded_session"
    )
    team = factories.unique("team")
    alone = factories.call_with_turns(db_session, lines=factories.FORBIDDEN, team=team)
    scoring_service.score_call(
        db_session=db_session, call_id=alone.id, rules_dir=get_settings().rules_dir
    )
    bulk = _old_scored(db_session, team=team)

    _run_all(db_session, _job(db_session, team=team).id)

    (one,) = _current(db_session, alone.id)
    (many,) = _current(db_session, bulk.id)
    fields = ("pack_version", "total", "maximum", "percent", "flagged", "reasons", "items")
    assert [getattr(one, f) for f in fields] == [getattr(many, f) for f in fields]
    statuses = [
        [
            (r.rule_id, r.status, r.reason)
            for r in scoring_service.rule_results(db_session=db_session, score=s)
        ]
        for s in (one, many)
    ]
    assert statuses[0] == statuses[1]
    hits = [
        [
            (h.rule_id, h.start, h.end, h.text, h.rule_name)
            for h in scoring_service.hits(db_session=db_session, score=s)
        ]
        for s in (one, many)
    ]
    assert hits[0] == hits[1] and hits[0]
    db_session.refresh(bulk)
    assert bulk.status == "scored" and bulk.flagged == one.flagged
    # Equal, but for the ids of the turns (the two calls' turns are different rows).
    metrics = [
        scoring_service.metrics_of(db_session=db_session, call_id=c.id) or {} for c in (alone, bulk)
    ]
    rates = [list(m.pop("turn_rates").values()) for m in metrics]
    assert metrics[0] == metrics[1] and rates[0] == rates[1]


def test_a_call_whose_status_and_flag_stay_is_not_rewritten(db_session):
    team = factories.unique("team")
    flagged = _old_scored(db_session, team=team)  # a forbidden phrase: flagged again
    clean = _old_scored(db_session, team=team, lines=factories.CLEAN)
    flagged.flagged = False  # the older version did not flag it
    earlier = datetime(2026, 1, 1, tzinfo=UTC)
    for call in (flagged, clean):
        call.updated_at = earlier
    db_session.flush()

    _run_all(db_session, _job(db_session, team=team).id)

    for call in (flagged, clean):
        db_session.refresh(call)
    assert (flagged.flagged, clean.flagged) == (True, False)
    assert flagged.updated_at > earlier and clean.updated_at == earlier
    assert _current(db_session, clean.id)  # scored all the same


def test_the_cycle_collector_waits_until_a_chunk_is_scored(db_session):
    team = factories.unique("team")
    calls = [_old_scored(db_session, team=team) for _ in range(5)]
    packs = rescore_service.loaded_packs(get_settings().rules_dir)
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(count)
    try:
        counts = bulk.score_calls(
            db_session=db_session, call_ids=[c.id for c in calls], packs=packs
        )
    finally:
        gc.callbacks.remove(count)

    # None while the calls were scored (several otherwise); one as it ends, for what it left.
    assert counts.done == 5 and len(passes) <= 1
    assert gc.isenabled()
    with pytest.raises(ValueError), bulk._cycles_collected_after():
        raise ValueError("a chunk that fails")
    assert gc.isenabled()


def test_a_pack_version_selects_the_calls_scored_with_it(db_session):
    team = factories.unique("team")
    with_old = [_old_scored(db_session, team=team, version="old-1") for _ in range(2)]
    with_older = _old_scored(db_session, team=team, version="old-2")

    job = _job(db_session, team=team, pack_version="old-1")
    _run_all(db_session, job.id)

    assert job.total == 2
    assert all(_current(db_session, c.id) for c in with_old)
    assert _current(db_session, with_older.id) == []


def test_chunks_count_progress_and_a_chunk_runs_once(db_session):
    team = factories.unique("team")
    for _ in range(5):
        _old_scored(db_session, team=team)
    job = _job(db_session, team=team, chunk_size=2)
    assert (job.total, job.chunks) == (5, 3)
    first, *rest = rescore_service.pending_chunks(db_session=db_session, job_id=job.id)

    rules_dir = get_settings().rules_dir
    counts = rescore_service.run_chunk(db_session=db_session, chunk_id=first, rules_dir=rules_dir)
    again = rescore_service.run_chunk(db_session=db_session, chunk_id=first, rules_dir=rules_dir)

    assert counts is not None and counts.done == 2 and again is None
    db_session.refresh(job)
    assert (job.state, job.done, job.chunks_done) == (JobState.RUNNING, 2, 1)
    assert rescore_service.pending_chunks(db_session=db_session, job_id=job.id) == rest


def test_a_call_scored_meanwhile_is_skipped_and_counted(db_session):
    team = factories.unique("team")
    calls = [_old_scored(db_session, team=team) for _ in range(3)]
    job = _job(db_session, team=team)
    # The pipeline scores one with the current version before the job's chunk runs.
    scoring_service.score_call(
        db_session=db_session, call_id=calls[0].id, rules_dir=get_settings().rules_dir
    )

    _run_all(db_session, job.id)

    db_session.refresh(job)
    assert (job.total, job.done, job.skipped, job.failed) == (3, 2, 1, 0)
    assert all(len(_current(db_session, c.id)) == 1 for c in calls)


def test_a_second_job_over_the_same_calls_has_nothing_to_do(db_session):
    team = factories.unique("team")
    _old_scored(db_session, team=team)
    _run_all(db_session, _job(db_session, team=team).id)

    second = _job(db_session, team=team)

    assert (second.total, second.chunks, second.state) == (0, 0, JobState.DONE)


@pytest.mark.parametrize(
    ("selectors", "message"),
    [
        (
            {"since": date(2026, 12, 2), "until": date(2026, 12, 1)},
            "--since 2026-12-02 is after --until 2026-12-01",
        ),
        ({"team": "no-such-team"}, "no call belongs to team 'no-such-team'"),
        ({"pack_version": "never-was"}, "no call was scored with pack version 'never-was'"),
    ],
)
def test_selectors_that_cannot_select_say_why(db_session, selectors, message):
    with pytest.raises(InvalidInput) as raised:
        _job(db_session, **selectors)
    assert str(raised.value) == message


def test_the_current_pack_version_is_refused_as_an_old_one(db_session):
    current = rescore_service.loaded_packs(get_settings().rules_dir)[0]
    with pytest.raises(InvalidInput, match="is the current version of pack"):
        _job(db_session, pack_version=current.version)


def test_an_unknown_job_is_not_found(db_session):
    with pytest.raises(NotFound):
        rescore_service.get_or_raise(db_session=db_session, job_id=2**40)
