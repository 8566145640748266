"""Recordings dropped into the bucket: S3 events (hints) and the reconciler find each once."""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.synth import english_call, mix, write_wav


def _event(
    bucket: str, key: str, etag: str | None = None, name: str = "s3:ObjectCreated:Put"
) -> dict:
    obj = {"key": key.replace(" ", "+"), **({"eTag": etag} if etag else {})}
    return {"Records": [{"eventName": name, "s3": {"bucket": {"name": bucket}, "object": obj}}]}


def _put(path: Path, key: str, metadata: dict[str, str] | None = None):
    from services import storage
    from services.config import get_settings

    bucket = get_settings().bucket
    storage.client().fput_object(bucket, key, str(path), metadata=metadata or {})
    return storage.stat(bucket=bucket, key=key)


def test_event_posted_twice_and_reconciler_make_one_call(client, db_session, tmp_path: Path):
    from services.calls import recordings
    from services.calls.tables import Call
    from services.config import get_settings

    settings = get_settings()
    wav = write_wav(tmp_path / "dropped.wav", mix(english_call()[:1]))
    key = "drop/2026-11-25/call one.wav"
    info = _put(wav, key, {"agent-id": "A77", "team": "night", "channels": "mono"})

    first = client.post("/api/v1/ingest/s3-events", json=_event(settings.bucket, key, info.version))
    second = client.post(
        "/api/v1/ingest/s3-events", json=_event(settings.bucket, key, info.version)
    )
    listed, created, _stale = recordings.reconcile(
        db_session=db_session,
        bucket=settings.bucket,
        prefix="drop/",
        stale_after=timedelta(hours=1),
    )

    assert first.status_code == 200, first.text
    assert len(first.json()["registered"]) == 1
    assert second.json()["duplicates"] == first.json()["registered"]
    assert listed == 1 and created == []
    calls = db_session.query(Call).filter(Call.object_key == key).all()
    assert len(calls) == 1
    assert (calls[0].agent_id, calls[0].team, calls[0].channel_map) == ("A77", "night", {})


def test_reconciler_registers_what_events_missed_with_sidecar_metadata(db_session, tmp_path: Path):
    from services.calls import recordings
    from services.calls.tables import Call
    from services.config import get_settings

    settings = get_settings()
    wav = write_wav(tmp_path / "missed.wav", mix(english_call()[:1]))
    sidecar = tmp_path / "missed.json"
    sidecar.write_text(
        json.dumps({"agent_id": "A88", "external_id": "PBX-9", "direction": "outbound"})
    )
    _put(sidecar, "missed/call.wav.json")
    _put(wav, "missed/call.wav")
    _put(sidecar, "missed/readme.txt")

    _listed, created, _ = recordings.reconcile(
        db_session=db_session,
        bucket=settings.bucket,
        prefix="missed/",
        stale_after=timedelta(hours=1),
    )
    again = recordings.reconcile(
        db_session=db_session,
        bucket=settings.bucket,
        prefix="missed/",
        stale_after=timedelta(hours=1),
    )

    assert len(created) == 1 and again[1] == []
    call = db_session.get(Call, created[0])
    assert (call.agent_id, call.external_id, call.direction, call.source) == (
        "A88",
        "PBX-9",
        "outbound",
        "reconcile",
    )


def test_invalid_object_metadata_registers_a_failed_call_with_the_reason(client, tmp_path: Path):
    from services.config import get_settings

    settings = get_settings()
    wav = write_wav(tmp_path / "badmeta.wav", mix(english_call()[:1]))
    info = _put(wav, "badmeta/call.wav", {"direction": "sideways"})

    body = client.post(
        "/api/v1/ingest/s3-events", json=_event(settings.bucket, "badmeta/call.wav", info.version)
    ).json()

    url = f"/api/v1/calls/{body['registered'][0]}"
    call = client.get(url).json()
    in_chinese = client.get(url, headers={"Accept-Language": "zh-CN"}).json()
    assert call["status"] == "failed"
    # Kept as a Message: each reader reads why in their own language.
    where = f"s3://{settings.bucket}/badmeta/call.wav"
    assert call["failure_reason"].startswith(f"the metadata of {where} is invalid at direction: ")
    assert in_chinese["failure_reason"].startswith(f"{where} 的元数据在 direction 处无效：输入应为")


def test_events_for_other_buckets_sidecars_and_deletions_are_ignored(client):
    from services.config import get_settings

    bucket = get_settings().bucket
    payload = {"Records": [
        _event("someone-elses-bucket", "a.wav")["Records"][0],
        _event(bucket, "x/call.wav.json")["Records"][0],
        _event(bucket, "x/call.wav", name="s3:ObjectRemoved:Delete")["Records"][0],
    ]}  # fmt: skip

    body = client.post("/api/v1/ingest/s3-events", json=payload).json()

    assert body == {"registered": [], "duplicates": [], "ignored": [
        "s3://someone-elses-bucket/a.wav", f"s3://{bucket}/x/call.wav.json"]}  # fmt: skip


def test_malformed_event_notifications_are_refused(client):
    for payload in ({}, {"Records": "x"}, {"Records": [{"s3": {}}]}, {"Records": [7]}):
        response = client.post("/api/v1/ingest/s3-events", json=payload)
        assert response.status_code == 422, payload
    too_many = {"Records": [_event("b", f"{i}.wav")["Records"][0] for i in range(1001)]}
    assert client.post("/api/v1/ingest/s3-events", json=too_many).status_code == 422
    bad_key = _event(get_bucket(), "a\x01b.wav")
    assert client.post("/api/v1/ingest/s3-events", json=bad_key).status_code == 422
    assert client.post("/api/v1/ingest/s3-events", content=b"{not json").status_code == 422


def get_bucket() -> str:
    from services.config import get_settings

    return get_settings().bucket


@pytest.mark.slow
def test_periodic_reconcile_task_registers_and_requeues_through_the_worker(
    worker, wait_for, db_session, tmp_path: Path
):
    from sqlalchemy import update

    from services import pipeline, storage
    from services.calls import service as calls_service
    from services.calls.tables import Call
    from services.config import get_settings

    bucket = get_settings().bucket
    lines = english_call()
    missed = _put(write_wav(tmp_path / "missed.wav", mix(lines[:1])), "periodic/missed.wav")
    # A call registered while the broker was down: in the database, never queued.
    lost_info = storage.put_bytes(
        bucket=bucket,
        key="periodic-lost.wav",
        data=write_wav(tmp_path / "lost.wav", mix(lines[1:2])).read_bytes(),
        content_type="audio/wav",
    )
    lost, _ = calls_service.register(
        db_session=db_session, info=lost_info, source="upload", metadata=None
    )
    db_session.execute(
        update(Call).where(Call.id == lost.id).values(updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    db_session.commit()

    pipeline.send(pipeline.RECONCILE, queue=pipeline.MAINTENANCE_QUEUE)

    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while (
        found := db_session.query(Call).filter(Call.object_key == missed.key).one_or_none()
    ) is None:
        assert datetime.now(UTC) < deadline, "the reconciler did not register the missed recording"
        time.sleep(0.5)
        db_session.expire_all()
    assert wait_for(found.id).status == "scored"
    assert wait_for(lost.id).status == "scored"


def test_derived_copies_in_the_bucket_are_never_registered_as_calls(client, db_session, tmp_path):
    from services.calls import recordings
    from services.calls.tables import Call
    from services.config import get_settings

    bucket = get_settings().bucket
    wav = write_wav(tmp_path / "derived.wav", mix(english_call()[:1]))
    _put(wav, "derivedtest/call.wav")
    bleeped = _put(wav, "redacted/derivedtest/call.wav.wav")

    for prefix in ("redacted/", "derivedtest/", "redacted/derivedtest/"):
        recordings.reconcile(
            db_session=db_session, bucket=bucket, prefix=prefix, stale_after=timedelta(hours=1)
        )
    event = client.post(
        "/api/v1/ingest/s3-events", json=_event(bucket, bleeped.key, bleeped.version)
    ).json()

    keys = db_session.query(Call.object_key).filter(Call.object_key.like("%derivedtest/%")).all()
    assert keys == [("derivedtest/call.wav",)]
    assert event["registered"] == [] and event["ignored"] == [f"s3://{bucket}/{bleeped.key}"]
    assert not db_session.query(Call).filter(Call.object_key.startswith("redacted/")).count()
