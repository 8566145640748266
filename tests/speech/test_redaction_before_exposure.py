"""With audio redaction on, an agent never receives the original recording of a call with
personal data, at any status: playback waits (409) until the bleeped copy exists, then plays it.
A real worker transcribes and bleeps the call."""

import secrets
import time
from urllib.parse import urlsplit

import pytest

from services import pipeline, storage
from services.calls import service as calls_service
from services.calls.schemas import CallMetadata
from services.config import get_settings
from services.db import session_scope
from tests.synth import mix, write_wav, zh_lines

pytestmark = pytest.mark.slow

SCRIPT = [
    ("agent", "agent_verify_id", 0.5),
    ("customer", "customer_mobile", 5.5),
    ("agent", "agent_balance", 10.0),
]


def _heard(client, call_id: int) -> tuple[int, bytes]:
    """What ``client`` gets when it asks to play the call: the status, and the audio if any."""
    answer = client.get(f"/api/v1/calls/{call_id}/audio")
    if answer.status_code != 200:
        return answer.status_code, b""
    url = urlsplit(answer.json()["url"])
    return 200, client.get(f"{url.path}?{url.query}").content


def test_an_agent_never_hears_the_original_recording(client, client_as, worker, tmp_path):
    agent_id = f"EXPOSE-{secrets.token_hex(3)}"
    agent = client_as("agent", agent_id=agent_id)
    original = write_wav(tmp_path / "pii.wav", mix(zh_lines(SCRIPT))).read_bytes()
    with session_scope() as db_session:
        info = storage.put_bytes(
            bucket=get_settings().bucket,
            key=f"exposure/{secrets.token_hex(6)}.wav",
            data=original,
            content_type="audio/wav",
        )
        call, _ = calls_service.register(
            db_session=db_session,
            info=info,
            source="upload",
            metadata=CallMetadata(language="zh", agent_id=agent_id),
        )
        call_id = call.id

    # Received, not yet queued: the agent surely asks before any bleeping.
    assert _heard(agent, call_id) == (409, b"")
    pipeline.enqueue_transcription(call_id)
    answers = []
    deadline = time.monotonic() + 180
    while client.get(f"/api/v1/calls/{call_id}").json()["status"] != "scored":
        assert time.monotonic() < deadline, "the call was not scored in time"
        answers.append(_heard(agent, call_id))
        time.sleep(0.3)

    status, bleeped = _heard(agent, call_id)
    assert status == 200 and bleeped[:4] == b"RIFF" and len(bleeped) > 44
    assert bleeped != original
    assert all(audio != original for _status, audio in answers)
    assert {s for s, _audio in answers} <= {200, 409}
    assert _heard(client, call_id) == (200, original)  # an admin hears what was recorded
    shown = client.get(f"/api/v1/calls/{call_id}").json()
    assert any(r["type"] == "PHONE" for t in shown["turns"] for r in t["redactions"])
