"""End to end: recordings uploaded through the API, transcribed by a real Celery worker."""

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import cer_zh, upload, wer
from tests.synth import Line, english_call, mandarin_call, mix, write_wav

pytestmark = pytest.mark.slow


def _match(lines: list[Line], turns: list[dict]) -> list[tuple[Line, dict]]:
    """Pairs each script line with the transcript turn that overlaps it most."""
    pairs = []
    for line in lines:
        best = max(turns, key=lambda t: min(t["end"], line.end) - max(t["start"], line.start))
        pairs.append((line, best))
    return pairs


def test_english_stereo_call_is_transcribed_per_party_at_the_right_times(
    client, worker, wait_for, db_session, tmp_path: Path
):
    from services.speech import service as speech_service

    lines = english_call()
    path = write_wav(tmp_path / "en.wav", mix(lines))

    response = upload(client, path, {"agent_id": "A1", "channels": {"agent": 0, "customer": 1}})

    assert response.status_code == 202, response.text
    assert response.json()["status"] == "received"
    call_id = response.json()["id"]
    assert wait_for(call_id).status == "scored"
    call = client.get(f"/api/v1/calls/{call_id}").json()
    turns = call["turns"]
    assert call["channels"] == 2 and call["duration_s"] == pytest.approx(
        mix(lines).shape[1] / 16000, abs=0.01
    )
    assert len(turns) == len(lines)
    for line, turn in _match(lines, turns):
        assert turn["role"] == line.role, (line.text, turn)
        assert abs(turn["start"] - line.start) <= 0.5, (line.text, line.start, turn)
        assert abs(turn["end"] - line.end) <= 0.5, (line.text, line.end, turn)
    for role in ("agent", "customer"):
        reference = " ".join(ln.text for ln in lines if ln.role == role)
        hypothesis = " ".join(t["text"] for t in turns if t["role"] == role)
        assert wer(reference, hypothesis) <= 0.10, (reference, hypothesis)
    activity = {
        a.role: a for a in speech_service.get_activity(db_session=db_session, call_id=call_id)
    }
    for line in lines:
        # Every placed line is covered by detected speech on its own party's channel.
        covered = sum(
            max(0.0, min(e, line.end) - max(s, line.start)) for s, e in activity[line.role].regions
        )
        assert covered >= 0.8 * (line.end - line.start), line.text
    assert all(-40 < a.loudness_dbfs < 0 for a in activity.values())


def test_mandarin_stereo_call_comes_out_simplified_with_roles(
    client, worker, wait_for, tmp_path: Path
):
    from services.text.normalise import simplified

    lines = mandarin_call()
    path = write_wav(tmp_path / "zh.wav", mix(lines))

    response = upload(client, path, {"language": "zh", "team": "zh-team"})

    call_id = response.json()["id"]
    assert wait_for(call_id).status == "scored"
    turns = client.get(f"/api/v1/calls/{call_id}").json()["turns"]
    for line, turn in _match(lines, turns):
        assert turn["role"] == line.role, (line.text, turn)
    for turn in turns:
        assert simplified(turn["text"]) == turn["text"]
    reference = "".join(ln.text for ln in lines)
    hypothesis = "".join(t["text"] for t in sorted(turns, key=lambda t: t["start"]))
    assert cer_zh(reference, hypothesis) <= 0.25, (reference, hypothesis)


def test_mono_telephone_call_gets_agent_and_customer_from_their_voices(
    client, worker, wait_for, tmp_path: Path
):
    lines = english_call()[:3]
    path = write_wav(tmp_path / "mono.wav", mix(lines, stereo=False), telephone=True)

    call_id = upload(client, path, {"channels": "mono", "direction": "inbound"}).json()["id"]

    call = wait_for(call_id)
    assert call.status == "scored", call.failure_reason
    body = client.get(f"/api/v1/calls/{call_id}").json()
    assert body["sample_rate"] == 8000
    assert body["speaker_roles"]["method"] == "voices", body["speaker_roles"]
    assert body["speaker_roles"]["confidence"] >= 0.8
    for line, turn in _match(lines, body["turns"]):
        assert turn["role"] == line.role, (line.text, turn)
        assert turn["role_confidence"] == body["speaker_roles"]["confidence"]
    assert (
        wer(" ".join(ln.text for ln in lines), " ".join(t["text"] for t in body["turns"])) <= 0.15
    )


def _pool_children(worker_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(worker_pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_worker_killed_mid_transcription_still_transcribes_exactly_once(
    client, worker, wait_for, db_session, tmp_path: Path
):
    from services.speech import service as speech_service

    lines = english_call()
    # A longer call, so that the kill lands while the model is working.
    audio = np.concatenate([mix(lines), mix(lines)], axis=1)
    path = write_wav(tmp_path / "long.wav", audio)
    call_id = upload(client, path).json()["id"]
    wait_for(call_id, statuses=("transcribing",), timeout=120)
    time.sleep(1.0)
    children = _pool_children(worker.pid)
    assert children, "the worker has no pool process"

    for pid in children:
        os.kill(pid, signal.SIGKILL)

    call = wait_for(call_id, timeout=240)
    assert call.status == "scored", call.failure_reason
    assert call.deliveries == 2
    turns = speech_service.get_turns(db_session=db_session, call_id=call_id)
    assert [t.idx for t in turns] == list(range(len(turns)))
    assert len(turns) == 2 * len(lines)
