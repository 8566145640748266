"""A call through a worker that runs with the production defaults of the ASR and redaction
settings (the rest of the suite decodes at temperature 0, bleeps audio and keeps the unmasked
text): Whisper may re-decode at higher temperatures, the transcript is masked, no bleeped copy
and no unmasked text are stored."""

import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services import storage
from services.calls import service as calls_service
from services.calls.schemas import CallMetadata
from services.config import Settings, get_settings
from services.db import session_scope
from services.local.processes import start_worker, stop_process
from services.speech.tables import Turn
from tests.synth import mix, write_wav, zh_lines
from workers.tasks import transcribe

pytestmark = pytest.mark.slow

# The settings the suite sets for itself, left out here so the worker takes the defaults.
SUITE_OVERRIDES = ("ZHIJIAN_ASR_TEMPERATURES", "ZHIJIAN_REDACT_AUDIO", "ZHIJIAN_KEEP_UNREDACTED")
SCRIPT = [
    ("agent", "agent_verify_id", 0.5),
    ("customer", "customer_mobile", 5.5),
    ("agent", "agent_balance", 10.0),
]
LONG_NUMBER = re.compile(r"\d{7,}|[零〇一二三四五六七八九幺]{7,}")


@pytest.fixture
def defaults_queue(monkeypatch, tmp_path: Path) -> Iterator[str]:
    """A worker with the default settings, alone on an ASR queue of its own; its queue name."""
    for name in SUITE_OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    queue = f"asr-defaults-{secrets.token_hex(3)}"
    log = tmp_path / "worker.log"
    process = start_worker(env={}, queues=f"{queue},score", log_path=log)
    deadline = time.monotonic() + 60
    while "ready" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.2)
    yield queue
    stop_process(process)


def test_the_production_defaults_are_what_this_worker_runs_with(monkeypatch):
    for name in SUITE_OVERRIDES:
        monkeypatch.delenv(name, raising=False)

    defaults = Settings()

    assert defaults.asr_temperatures == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert defaults.redact_pii and not defaults.redact_audio and not defaults.keep_unredacted


@pytest.mark.committed  # a worker process reads the call
def test_a_call_with_a_mobile_number_under_the_production_defaults(
    defaults_queue, client, wait_for, tmp_path
):
    recording = write_wav(tmp_path / "defaults.wav", mix(zh_lines(SCRIPT)))
    with session_scope() as db_session:
        info = storage.put_bytes(
            bucket=get_settings().bucket,
            key=f"defaults/{secrets.token_hex(6)}.wav",
            data=recording.read_bytes(),
            content_type="audio/wav",
        )
        call, _ = calls_service.register(
            db_session=db_session,
            info=info,
            source="upload",
            metadata=CallMetadata(language="zh", agent_id=f"DEF-{secrets.token_hex(3)}"),
        )
        call_id = call.id
    transcribe.apply_async(args=[call_id], queue=defaults_queue)

    assert wait_for(call_id).status == "scored"
    shown = client.get(f"/api/v1/calls/{call_id}").json()
    text = " ".join(t["text"] for t in shown["turns"])
    assert "PHONE" in {r["type"] for t in shown["turns"] for r in t["redactions"]}, text
    assert not LONG_NUMBER.search(re.sub(r"(?<=\d)[ ,-](?=\d)", "", text)), text
    # Nothing unmasked kept: an admin asking for it gets the masked text.
    unmasked = client.get(f"/api/v1/calls/{call_id}", params={"unredacted": "true"}).json()
    assert [t["text"] for t in unmasked["turns"]] == [t["text"] for t in shown["turns"]]
    with session_scope() as db_session:
        stored = calls_service.get_or_raise(db_session=db_session, call_id=call_id)
        assert stored.redacted_key is None  # no bleeped copy
        turns = db_session.query(Turn).filter(Turn.call_id == call_id).all()
        assert turns and all(t.unredacted_text is None for t in turns)
