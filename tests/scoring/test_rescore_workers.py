"""``zhijian rescore`` end to end: the command in its own process, chunks scored by a real
Celery worker, a job interrupted and resumed, a worker killed mid-chunk, a second run with
nothing to do."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from services import pipeline
from services.config import get_settings
from services.db import get_engine, session_scope
from services.local.processes import start_worker, stop_process
from services.scoring.rescore import service as rescore_service
from services.scoring.rescore.selection import Selection
from services.scoring.rescore.tables import JobState, RescoreChunk, RescoreJob
from services.scoring.tables import CallScore, RuleHit, RuleStatus
from tests import factories
from tests.scoring.test_rescore import _old_scored

pytestmark = pytest.mark.slow


def _zhijian(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "ZHIJIAN_DEFAULT_LANGUAGE": "en"},
    )


def _job_of_new_calls(count: int, chunk_size: int) -> tuple[str, list[int], int, list[int]]:
    """``count`` calls of a new team scored with an older pack version, and a job over them:
    (team, call ids, job id, chunk ids), committed for the workers to see."""
    team = factories.unique("rescore-team")
    with session_scope() as db_session:
        call_ids = [_old_scored(db_session, team=team).id for _ in range(count)]
    with session_scope() as db_session:
        job = rescore_service.create_job(
            db_session=db_session,
            chosen=Selection(team=team),
            rules_dir=get_settings().rules_dir,
            created_by="test",
            chunk_size=chunk_size,
        )
        chunks = rescore_service.pending_chunks(db_session=db_session, job_id=job.id)
        return team, call_ids, job.id, chunks


def test_an_interrupted_job_resumed_finishes_once_and_a_second_run_does_nothing(worker):
    # A job made and one of its three chunks scored, then the command stopped before it
    # queued the others (or the broker lost them).
    team, call_ids, job_id, (first, *_) = _job_of_new_calls(5, chunk_size=2)
    with session_scope() as db_session:
        rescore_service.run_chunk(
            db_session=db_session, chunk_id=first, rules_dir=get_settings().rules_dir
        )
    try:
        pipeline.enqueue_rescore([first])  # the done chunk delivered again: a no-op
        resumed = _zhijian("rescore", str(job_id), "--wait")
        again = _zhijian("rescore", "--team", team)
        shown = _zhijian("rescore", "--status", str(job_id))

        assert resumed.returncode == 0, resumed.stderr
        assert f"re-scoring job {job_id}: 5 calls, 2 chunks to queue" in resumed.stdout
        assert again.returncode == 0, again.stderr
        assert ": 0 calls, 0 chunks to queue" in again.stdout
        assert shown.stdout.startswith(
            f"job {job_id} (done): 5 of 5 calls (scored 5, skipped 0, failed 0), chunks 3/3"
        ), shown.stdout
        with session_scope() as db_session:
            finished = rescore_service.get_or_raise(db_session=db_session, job_id=job_id)
            assert finished.state == JobState.DONE
            assert (finished.done, finished.skipped, finished.failed) == (5, 0, 0)
            version = finished.versions["zh-service"]
        per_call = _per_call(call_ids, version)
        # Every call scored once: one score, each rule once, the same hits (same transcript).
        assert per_call["scores"] == dict.fromkeys(call_ids, 1)
        assert len(set(per_call["rule_results"].values())) == 1
        assert len(set(per_call["hits"].values())) == 1 and len(per_call["hits"]) == 5
    finally:  # the jobs are this test's; the calls stay, as other committed tests' do
        with session_scope() as db_session:
            db_session.execute(delete(RescoreJob).where(RescoreJob.team == team))


@pytest.mark.committed  # the command line works in its own process
def test_bad_selectors_are_one_clear_line():
    backwards = _zhijian("rescore", "--since", "2026-12-02", "--until", "2026-12-01")
    both = _zhijian("rescore", "1", "--team", "T1")
    unknown = _zhijian("rescore", "--status", str(2**40))

    assert backwards.returncode == 2
    assert backwards.stderr.strip() == "zhijian: --since 2026-12-02 is after --until 2026-12-01"
    assert both.returncode == 2
    assert both.stderr.strip() == (
        "zhijian: a job keeps its own selectors: give a job or selectors"
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == f"zhijian: re-scoring job {2**40} does not exist"


# A queue of its own: the suite's shared worker must not take this test's chunk.
KILL_QUEUE = "rescore-kill-test"


def _chunk_held(chunk_id: int) -> bool:
    """Whether a worker is scoring the chunk now: it holds the chunk's row lock until commit."""
    with get_engine().connect() as connection:
        try:
            connection.execute(
                select(RescoreChunk.id)
                .where(RescoreChunk.id == chunk_id)
                .with_for_update(nowait=True)
            )
        except OperationalError:
            return True
        finally:
            connection.rollback()
    return False


def _per_call(call_ids: list[int], version: str) -> dict[str, dict[int, int]]:
    with session_scope() as db_session:
        return {
            table.__tablename__: dict(
                db_session.execute(
                    select(table.call_id, func.count())
                    .where(table.call_id.in_(call_ids), table.pack_version == version)
                    .group_by(table.call_id)
                ).all()
            )
            for table in (CallScore, RuleStatus, RuleHit)
        }


@pytest.mark.committed  # a worker of the test's own scores the chunk
def test_a_worker_killed_mid_chunk_leaves_nothing_of_it_and_the_chunk_is_scored_whole_later(
    tmp_path: Path,
):
    _team, call_ids, job_id, (chunk_id,) = _job_of_new_calls(200, chunk_size=1000)
    with session_scope() as db_session:
        version = rescore_service.get_or_raise(db_session=db_session, job_id=job_id).versions[
            "zh-service"
        ]

    def worker(name: str) -> subprocess.Popen[bytes]:
        return start_worker(env={}, queues=KILL_QUEUE, log_path=tmp_path / f"{name}.log")

    first = worker("first")
    try:
        pipeline.send(pipeline.RESCORE_CHUNK, queue=KILL_QUEUE, args=[chunk_id])
        deadline = time.monotonic() + 120
        while not _chunk_held(chunk_id):
            assert time.monotonic() < deadline, (tmp_path / "first.log").read_text()
            time.sleep(0.01)
        os.killpg(first.pid, signal.SIGKILL)  # mid-chunk: the main process and its pool
        first.wait(10)
    finally:
        stop_process(first)

    try:
        # The dead worker's transaction is rolled back whole: nothing of the chunk is stored.
        deadline = time.monotonic() + 30
        while _chunk_held(chunk_id):  # until PostgreSQL has seen the connection close
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert _per_call(call_ids, version) == {"scores": {}, "rule_results": {}, "hits": {}}
        with session_scope() as db_session:
            assert rescore_service.pending_chunks(db_session=db_session, job_id=job_id) == [
                chunk_id
            ]
            interrupted = rescore_service.get_or_raise(db_session=db_session, job_id=job_id)
            assert (interrupted.done, interrupted.chunks_done) == (0, 0)

        # Resumed (as `zhijian rescore JOB` does): the chunk is scored whole, each call once.
        second = worker("second")
        try:
            pipeline.send(pipeline.RESCORE_CHUNK, queue=KILL_QUEUE, args=[chunk_id])
            deadline = time.monotonic() + 180
            while True:
                with session_scope() as db_session:
                    job = rescore_service.get_or_raise(db_session=db_session, job_id=job_id)
                if job.state == JobState.DONE:
                    break
                assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()
                time.sleep(0.5)
        finally:
            stop_process(second)
        assert (job.done, job.skipped, job.failed) == (200, 0, 0)
        stored = _per_call(call_ids, version)
        assert stored["scores"] == dict.fromkeys(call_ids, 1)
        assert len(set(stored["rule_results"].values())) == 1  # every rule once a call
        assert len(stored["hits"]) == 200 and len(set(stored["hits"].values())) == 1
    finally:  # the job is this test's; the calls stay, as other committed tests' do
        with session_scope() as db_session:
            db_session.execute(delete(RescoreJob).where(RescoreJob.id == job_id))
