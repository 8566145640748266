"""``zhijian rescore`` end to end: the command in its own process, chunks scored by a real
Celery worker, a job interrupted and resumed, a second run with nothing to do."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import delete, func, select

from services import pipeline
from services.config import get_settings
from services.db import session_scope
from services.scoring.rescore import service as rescore_service
from services.scoring.rescore.selection import Selection
from services.scoring.rescore.tables import JobState, RescoreJob
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


def test_an_interrupted_job_resumed_finishes_once_and_a_second_run_does_nothing(worker):
    team = factories.unique("rescore-team")
    with session_scope() as db_session:
        call_ids = [_old_scored(db_session, team=team).id for _ in range(5)]
    # A job made and one of its three chunks scored, then the command stopped before it
    # queued the others (or the broker lost them).
    with session_scope() as db_session:
        job = rescore_service.create_job(
            db_session=db_session,
            chosen=Selection(team=team),
            rules_dir=get_settings().rules_dir,
            created_by="test",
            chunk_size=2,
        )
        job_id = job.id
        first = rescore_service.pending_chunks(db_session=db_session, job_id=job_id)[0]
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
            per_call = {
                table.__tablename__: dict(
                    db_session.execute(
                        select(table.call_id, func.count())
                        .where(table.call_id.in_(call_ids), table.pack_version == version)
                        .group_by(table.call_id)
                    ).all()
                )
                for table in (CallScore, RuleStatus, RuleHit)
            }
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
