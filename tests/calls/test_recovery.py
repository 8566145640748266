"""No call is lost to a dead worker: a killed worker's call is requeued once its lease runs
out, and ends scored exactly once."""

import hashlib
import io
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from services.local.processes import start_worker, stop_process
from tests.synth import english_call, mix, write_wav

pytestmark = pytest.mark.slow

LEASE_S = 6.0
# Its own ASR queue: the test suite's shared worker must not take this call.
QUEUE = "asr-gpu"


def _worker(tmp_path: Path, name: str):
    env = {"ZHIJIAN_TRANSCRIPTION_LEASE_S": str(LEASE_S), "ZHIJIAN_ASR_QUEUE": QUEUE}
    return start_worker(env=env, queues=f"{QUEUE},score", log_path=tmp_path / f"{name}.log")


def _store(tmp_path: Path) -> int:
    from services.calls import intake
    from services.calls.schemas import CallMetadata
    from services.config import get_settings
    from services.db import session_scope

    lines = english_call()
    # A longer call, so that the kill lands while the model is working.
    data = write_wav(
        tmp_path / "crash.wav", np.concatenate([mix(lines), mix(lines)], axis=1)
    ).read_bytes()
    with session_scope() as db_session:
        stored = intake.store_upload(
            db_session=db_session,
            bucket=get_settings().bucket,
            prefix="crash/",
            filename="crash.wav",
            sha256=hashlib.sha256(data).hexdigest(),
            data=io.BytesIO(data),
            length=len(data),
            content_type="audio/wav",
            # Its own source call: the same synthetic bytes may be another test's call.
            metadata=CallMetadata(external_id=f"crash-{time.time_ns()}"),
            username="test",
        )
        return stored.call.id


def _call(call_id: int):
    from services.calls.tables import Call
    from services.db import session_factory

    with session_factory()() as session:
        return session.get(Call, call_id)


@pytest.mark.committed
def test_killing_the_workers_process_group_mid_transcription_loses_no_call(
    wait_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from sqlalchemy import func, select

    from services import pipeline
    from services.calls import maintenance
    from services.config import get_settings
    from services.db import session_factory
    from services.scoring.tables import CallScore, RuleHit
    from services.speech.tables import Turn

    monkeypatch.setattr(get_settings(), "asr_queue", QUEUE)
    monkeypatch.setattr(get_settings(), "transcription_lease_s", LEASE_S)
    call_id = _store(tmp_path)
    first = _worker(tmp_path, "first")
    try:
        pipeline.enqueue_transcription(call_id)
        wait_for(call_id, statuses=("transcribing",), timeout=180)
        time.sleep(1.0)
        os.killpg(first.pid, signal.SIGKILL)  # the main process and its pool, no warning
        first.wait(10)
    finally:
        stop_process(first)
    # While the dead worker's lease is current, nothing is requeued.
    assert call_id not in maintenance.recover_now()["recovered"]
    assert (_call(call_id).status, _call(call_id).deliveries) == ("transcribing", 1)

    second = _worker(tmp_path, "second")
    killed_at = time.monotonic()
    try:
        # What the beat schedule does every lease: requeue the calls whose lease ran out.
        while (call := _call(call_id)).status not in ("scored", "failed"):
            # A kill between storing the transcript and queuing its scoring leaves the call
            # `transcribed` until the unscored sweep (7 minutes) finds it.
            assert time.monotonic() - killed_at < 600, f"call {call_id} stuck in {call.status}"
            maintenance.recover_now()
            time.sleep(1.0)
    finally:
        stop_process(second)

    assert call.status == "scored", call.failure_reason
    assert call.deliveries == 2
    with session_factory()() as session:
        idx = session.scalars(select(Turn.idx).where(Turn.call_id == call_id)).all()
        scores = session.scalar(select(func.count()).where(CallScore.call_id == call_id))
        hits = session.execute(
            select(RuleHit.rule_id, RuleHit.start, RuleHit.end).where(RuleHit.call_id == call_id)
        ).all()
    assert sorted(idx) == list(range(len(idx))) and len(idx) >= len(english_call())
    assert scores == 1
    assert len(hits) == len(set(hits))
