"""Bad recordings end with a reason a person understands; the rest of the batch goes on."""

import io
import subprocess
from pathlib import Path

import pytest

from services.i18n import readable
from tests.helpers import upload
from tests.synth import english_call, mix, write_wav

pytestmark = pytest.mark.slow


def _silence(path: Path) -> Path:
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "2", str(path), "trim", "0", "5"], check=True)
    return path


def _lying_header(path: Path, good: Path) -> Path:
    """A WAV whose header declares the whole call but whose data stops a third of the way in."""
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def test_a_batch_of_bad_recordings_fails_clearly_while_a_good_one_completes(
    client, worker, wait_for, tmp_path: Path
):
    from services import storage
    from services.config import get_settings

    lines = english_call()
    good = write_wav(tmp_path / "good.wav", mix(lines[:2]))
    other = write_wav(tmp_path / "other.wav", mix(lines[2:4]))
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF....this is not audio" * 200)
    cases = {
        "undecodable": (junk, {}),
        "silent": (_silence(tmp_path / "silent.wav"), {}),
        "truncated": (_lying_header(tmp_path / "cut.wav", good), {}),
        "channel out of range": (other, {"channels": {"agent": 3, "customer": 1}}),
    }
    ids = {name: upload(client, path, meta).json()["id"] for name, (path, meta) in cases.items()}
    good_id = upload(client, good, {"agent_id": "A-good"}).json()["id"]
    settings = get_settings()
    storage.put_bytes(
        bucket=settings.bucket, key="gone/call.wav", data=b"x", content_type="audio/wav"
    )
    event = {
        "Records": [
            {
                "eventName": "s3:ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": settings.bucket},
                    "object": {"key": "gone/call.wav", "eTag": "abc"},
                },
            }
        ]
    }
    storage.client().remove_object(settings.bucket, "gone/call.wav")
    ids["vanished"] = client.post("/api/v1/ingest/s3-events", json=event).json()["registered"][0]

    # As a person reads them (a bad recording's reason is kept as a message), in English.
    reasons = {name: readable(wait_for(c).failure_reason, "en") for name, c in ids.items()}

    assert wait_for(good_id).status == "scored"
    assert "not an audio recording" in reasons["undecodable"]
    assert "silent" in reasons["silent"]
    assert "truncated" in reasons["truncated"] and "declares" in reasons["truncated"]
    assert "channel 3" in reasons["channel out of range"]
    assert "not in the bucket" in reasons["vanished"]
    for call_id in ids.values():
        assert client.get(f"/api/v1/calls/{call_id}").json()["status"] == "failed"


def test_an_object_deleted_after_registration_fails_with_its_reason(
    client, worker, wait_for, db_session
):
    from services import storage
    from services.calls import service as calls_service
    from services.config import get_settings

    bucket = get_settings().bucket
    info = storage.put_bytes(
        bucket=bucket, key="later-gone.wav", data=b"x" * 10, content_type="audio/wav"
    )
    call, _ = calls_service.register(
        db_session=db_session, info=info, source="reconcile", metadata=None
    )
    db_session.commit()
    storage.client().remove_object(bucket, "later-gone.wav")
    from services.pipeline import enqueue_transcription

    enqueue_transcription(call.id)

    failed = wait_for(call.id)
    assert failed.status == "failed"
    assert failed.failure_reason == f"s3://{bucket}/later-gone.wav is not in object storage"


def test_zero_length_upload_is_refused_and_nothing_is_stored(client):
    response = client.post(
        "/api/v1/calls", files={"audio": ("empty.wav", io.BytesIO(b""), "audio/wav")}
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "the recording is empty (0 bytes)"


def test_unknown_channel_map_is_refused_at_upload(client, tmp_path: Path):
    path = tmp_path / "a.wav"
    path.write_bytes(b"RIFF" + b"\0" * 100)

    response = upload(client, path, {"channels": {"agent": 0, "supervisor": 1}})

    assert response.status_code == 422
    assert 'exactly "agent" and "customer"' in response.json()["detail"]
