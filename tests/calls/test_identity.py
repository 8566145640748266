"""A recording is one call by its content: the same bytes under another name or key are the
same call, a re-upload never rewrites stored metadata silently, a failed call is resubmitted."""

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import upload

EN = {"Accept-Language": "en"}


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    from tests.synth import espeak, write_wav

    speech = espeak("Content identity test.", "agent")
    tail = np.random.default_rng().uniform(-0.01, 0.01, 16).astype(speech.dtype)
    return write_wav(tmp_path / "original.wav", np.concatenate([speech, tail])[None, :])


def _call(db_session, call_id: int):
    from services.calls.tables import Call

    db_session.expire_all()
    return db_session.get(Call, call_id)


def _sidecar(call) -> dict:
    from services import storage

    raw = storage.read_bytes(bucket=call.bucket, key=call.object_key + ".json", limit=65536)
    return json.loads(raw)


def _audit(db_session, call_id: int) -> list:
    from services.audit.tables import AuditEntry

    return (
        db_session.query(AuditEntry)
        .filter(AuditEntry.call_id == call_id)
        .order_by(AuditEntry.id)
        .all()
    )


def test_the_same_bytes_under_two_names_are_one_call_and_one_object(
    client, db_session, recording: Path
):
    from services import storage
    from services.config import get_settings

    first = upload(client, recording, {"agent_id": "A1"}, name="monday.wav")
    second = upload(client, recording, {"agent_id": "A1"}, name="copy of monday.mp3")
    third = upload(client, recording, {}, name="no-metadata.amr")

    assert first.status_code == 202 and second.status_code == 200 and third.status_code == 200
    assert first.json()["id"] == second.json()["id"] == third.json()["id"]
    assert [second.json()["outcome"], third.json()["outcome"]] == ["same", "same"]
    call = _call(db_session, first.json()["id"])
    settings = get_settings()
    stored = storage.list_keys(bucket=settings.bucket, prefix=call.object_key.rsplit(".", 1)[0])
    assert [o.key for o in stored] == [call.object_key, call.object_key + ".json"]


def test_a_metadata_change_on_re_upload_is_refused_and_nothing_is_overwritten(
    client, db_session, recording: Path
):
    first = upload(client, recording, {"agent_id": "A1", "team": "day"})

    refused = client.post(
        "/api/v1/calls",
        files={"audio": ("again.wav", recording.read_bytes(), "audio/wav")},
        data={"metadata": json.dumps({"agent_id": "A2", "team": "day"})},
        headers=EN,
    )

    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert f"call {first.json()['id']}" in detail and "agent_id" in detail
    assert "replace_metadata=true" in detail and "team" not in detail
    call = _call(db_session, first.json()["id"])
    assert (call.agent_id, call.team) == ("A1", "day")
    assert _sidecar(call) == {"agent_id": "A1", "team": "day", "extra": {}}
    assert _audit(db_session, call.id) == []


def test_an_explicit_metadata_replacement_is_applied_and_audited(
    client, db_session, recording: Path
):
    first = upload(client, recording, {"agent_id": "A1", "team": "day"})

    with recording.open("rb") as f:
        replaced = client.post(
            "/api/v1/calls",
            params={"replace_metadata": "true"},
            files={"audio": ("again.wav", f, "audio/wav")},
            data={"metadata": json.dumps({"agent_id": "A2"})},
        )

    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["outcome"] == "updated" and replaced.json()["id"] == first.json()["id"]
    call = _call(db_session, first.json()["id"])
    assert (call.agent_id, call.team) == ("A2", "day")
    assert _sidecar(call)["agent_id"] == "A2"
    [entry] = _audit(db_session, call.id)
    assert entry.action == "call.metadata"
    assert entry.detail == {"changes": {"agent_id": ["A1", "A2"]}}
    assert entry.username.startswith("admin") and entry.address


def test_a_call_that_failed_on_bad_metadata_is_resubmitted_with_fixed_metadata(
    client, db_session, recording: Path
):
    from services import storage
    from services.calls import recordings
    from services.calls.tables import Call
    from services.config import get_settings

    bucket = get_settings().bucket
    storage.client().fput_object(
        bucket, "resubmit/bad.wav", str(recording), metadata={"direction": "sideways"}
    )
    _listed, _created, _ = recordings.reconcile(
        db_session=db_session, bucket=bucket, prefix="resubmit/", stale_after=timedelta(hours=1)
    )
    db_session.commit()
    failed = db_session.query(Call).filter_by(object_key="resubmit/bad.wav").one()
    assert failed.status == "failed"

    again = upload(client, recording, {"agent_id": "A9", "direction": "inbound"})

    assert again.status_code == 202, again.text
    assert (again.json()["id"], again.json()["outcome"]) == (failed.id, "resubmitted")
    call = _call(db_session, failed.id)
    assert (call.status, call.failure_reason, call.deliveries) == ("received", None, 0)
    assert (call.agent_id, call.direction) == ("A9", "inbound")
    [entry] = _audit(db_session, call.id)
    assert entry.action == "call.resubmit" and "direction" in entry.detail["failure_reason"]


def test_the_reconciler_and_events_register_the_same_bytes_under_two_keys_once(
    client, db_session, recording: Path
):
    from services import storage
    from services.calls import recordings
    from services.config import get_settings

    bucket = get_settings().bucket
    for key in ("twice/a.wav", "twice/copy/b.wav"):
        storage.client().fput_object(bucket, key, str(recording))

    _listed, created, _ = recordings.reconcile(
        db_session=db_session, bucket=bucket, prefix="twice/", stale_after=timedelta(hours=1)
    )
    db_session.commit()
    info = storage.stat(bucket=bucket, key="twice/copy/b.wav")
    event = {"Records": [{"s3": {"bucket": {"name": bucket}, "object": {
        "key": info.key, "eTag": info.version}}}]}  # fmt: skip
    body = client.post("/api/v1/ingest/s3-events", json=event).json()

    assert len(created) == 1
    assert body["registered"] == [] and body["duplicates"] == created
    uploaded = upload(client, recording, {}, name="third.wav").json()
    assert (uploaded["id"], uploaded["outcome"]) == (created[0], "same")


def test_the_same_bytes_from_two_source_calls_are_two_calls(client, recording: Path):
    first = upload(client, recording, {"external_id": "PBX-1"})
    second = upload(client, recording, {"external_id": "PBX-2"})
    again = upload(client, recording, {"external_id": "PBX-1"})

    assert first.status_code == 202 and second.status_code == 202
    assert first.json()["id"] != second.json()["id"]
    assert again.json()["id"] == first.json()["id"]


def test_a_fixed_copy_dropped_into_the_bucket_resubmits_the_failed_call_once(
    db_session, recording: Path
):
    from services import storage
    from services.calls import recordings
    from services.calls.tables import Call
    from services.config import get_settings

    bucket = get_settings().bucket
    client = storage.client()
    client.fput_object(bucket, "fixcopy/bad.wav", str(recording), metadata={"team": "x" * 300})

    def reconcile() -> list[int]:
        _listed, created, _ = recordings.reconcile(
            db_session=db_session, bucket=bucket, prefix="fixcopy/", stale_after=timedelta(hours=1)
        )
        db_session.commit()
        return created

    assert reconcile() == []  # registered failed: nothing to queue
    failed = db_session.query(Call).filter_by(object_key="fixcopy/bad.wav").one()
    assert failed.status == "failed"
    client.fput_object(bucket, "fixcopy/fixed.wav", str(recording), metadata={"team": "night"})

    assert reconcile() == [failed.id]
    assert reconcile() == []
    call = _call(db_session, failed.id)
    assert (call.status, call.team, call.object_key) == ("received", "night", "fixcopy/bad.wav")
    [entry] = _audit(db_session, call.id)
    assert (entry.action, entry.username) == ("call.resubmit", "reconcile")
