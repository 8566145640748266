"""The worker running ASR killed (SIGKILL, its whole process group: the OOM killer's way) three
times at random moments while 20 calls are in flight, and started again by its supervisor.

Every call still ends exactly once: ``scored`` with one score, or ``failed`` with the reason
(a call interrupted more than ``ZHIJIAN_MAX_DELIVERIES`` times); no turn, hit or score is
stored twice, none is lost. A call cut off mid-transcription is freed when its lease runs out
(or at once when its worker's process is gone); a task the dead worker had taken is delivered
again by the broker.
"""

import os
import random
import signal
import time

import pytest
from sqlalchemy import select

from services.calls.tables import Call
from services.db import session_factory
from tests.faults import common
from tests.faults.conftest import READY
from tests.helpers import upload

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.committed]

CALLS = 20
KILLS = 3
SPEECH_EVERY = 4  # every fourth call speaks (seconds of ASR); the others are cheap near-silence


def _recording(directory, n: int):
    if n % SPEECH_EVERY == 0:
        return common.recording(directory, 100 + n)
    return common.quiet_recording(directory, 100 + n)


def _runs_in(holder: str | None, group: int) -> bool:
    """Whether a lease holder (host:pid) is a live process of the process group ``group``."""
    pid = (holder or "").rpartition(":")[2]
    try:
        return pid.isdigit() and os.getpgid(int(pid)) == group
    except ProcessLookupError:
        return False


def _wait_transcribing(call_ids: list[int], group: int, timeout_s: float = 120) -> list[int]:
    """The calls a process of the worker ``group`` is transcribing, once there is one (the
    moment to kill it; a call still marked from before the last kill does not count)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with session_factory()() as session:
            rows = session.execute(
                select(Call.id, Call.leased_by).where(
                    Call.id.in_(call_ids), Call.status == "transcribing"
                )
            ).tuples()
            busy = [i for i, holder in rows if _runs_in(holder, group)]
        if busy:
            return busy
        assert time.monotonic() < deadline, common.statuses(call_ids)
        time.sleep(0.1)


def _ends(call_ids: list[int]) -> dict[int, tuple[int, str | None]]:
    """Each call's deliveries (starts of its transcription) and its failure reason."""
    with session_factory()() as session:
        rows = session.execute(
            select(Call.id, Call.deliveries, Call.failure_reason).where(Call.id.in_(call_ids))
        )
        return {i: (d, r) for i, d, r in rows.tuples()}


def test_a_worker_killed_three_times_mid_batch_ends_every_call_exactly_once(
    stack, client, tmp_path
):
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    answers = [upload(client, _recording(tmp_path, n)) for n in range(CALLS)]
    assert [r.status_code for r in answers] == [202] * CALLS, [r.text for r in answers]
    call_ids = [r.json()["id"] for r in answers]

    kills = []
    started = time.monotonic()
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.5, 4.0))  # a random moment, while ASR runs
        worker = stack.worker.process
        assert worker is not None and worker.poll() is None
        busy = _wait_transcribing(call_ids, group=worker.pid)
        starts = stack.log_count(READY)
        os.killpg(worker.pid, signal.SIGKILL)  # the main process and its pool processes
        kills.append((round(time.monotonic() - started, 1), busy))
        stack.wait_worker_ready(starts + 1)  # its supervisor starts another

    finished = common.wait_finished(call_ids, timeout_s=240)
    ends = _ends(call_ids)
    scores = common.scores_per_call(call_ids)
    doubled = common.duplicates(call_ids)
    redelivered = sorted(d for d, _r in ends.values() if d > 1)
    print(
        f"\ninjected: {CALLS} calls, worker process group SIGKILLed {len(kills)} times "
        f"(seed {seed}; at s and calls transcribing then: {kills}), restarted by its supervisor "
        f"{stack.worker.restarts} times in all\n"
        f"counted: {sum(s == 'scored' for s in finished.values())} scored, "
        f"{sum(s == 'failed' for s in finished.values())} failed "
        f"{sorted({ends[i][1] for i, s in finished.items() if s == 'failed'})}; "
        f"{len(redelivered)} calls transcribed again (deliveries {redelivered}); "
        f"scores per call {sorted(scores.values())}; duplicated rows {doubled}"
    )
    assert len(finished) == CALLS  # none lost
    assert set(finished.values()) <= set(common.FINISHED), finished
    for call_id, status in finished.items():
        reason = ends[call_id][1]
        if status == "failed":
            assert reason, f"call {call_id} failed without a reason"
            assert call_id not in scores
        else:
            assert scores.get(call_id) == 1, (call_id, scores.get(call_id))
    assert doubled == {"scores": 0, "hits": 0, "turns": 0}
    # The kills cut transcriptions off: those calls were started again.
    assert redelivered, "no transcription was interrupted"
