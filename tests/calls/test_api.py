"""The calls API: uploads, validation of everything a client can send, listing and paging."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import upload


@pytest.fixture
def small_wav(tmp_path: Path) -> Path:
    from tests.synth import espeak, write_wav

    speech = espeak("Hello, this is a short test.", "agent")
    # A faint tail of its own: uploads are stored by content, and another test's upload of the
    # same file would make this one a duplicate.
    tail = np.random.default_rng().uniform(-0.01, 0.01, 16).astype(speech.dtype)
    return write_wav(tmp_path / "hello.wav", np.concatenate([speech, tail])[None, :])


def _uploads_in_bucket() -> int:
    from services import storage
    from services.config import get_settings

    settings = get_settings()
    return len(storage.list_keys(bucket=settings.bucket, prefix=settings.upload_prefix))


def test_same_file_uploaded_twice_is_one_call(client, small_wav: Path):
    first = upload(client, small_wav, {"agent_id": "A1"})
    second = upload(client, small_wav, {"agent_id": "A1"}, name="renamed.wav")

    assert first.status_code == 202 and second.status_code == 200
    assert second.json() == {
        "id": first.json()["id"],
        "status": second.json()["status"],
        "duplicate": True,
        "outcome": "same",
    }


def test_upload_over_the_size_limit_is_refused_and_nothing_is_stored(client, monkeypatch, tmp_path):
    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_bytes", 100_000)
    big = tmp_path / "big.wav"
    big.write_bytes(b"\1" * 500_000)
    before = _uploads_in_bucket()

    response = upload(client, big)

    assert response.status_code == 413
    assert "limit of 100000 bytes" in response.json()["detail"]
    assert _uploads_in_bucket() == before


def test_upload_is_refused_while_streaming_before_the_body_ends(live_url, monkeypatch, admin_token):
    """The 413 comes while the client is still sending (chunked, no Content-Length)."""
    import socket
    from urllib.parse import urlsplit

    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_bytes", 50_000)
    url = urlsplit(live_url)
    boundary = "zhijianboundary"
    part = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="audio"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode() + b"\0" * 200_000
    before = _uploads_in_bucket()

    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/calls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + f"Authorization: Bearer {admin_token}\r\n".encode()
            + f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode()
            + f"{len(part):x}\r\n".encode()
            + part
            + b"\r\n"
        )
        # The body never ends: a server that waited for all of it would never answer.
        answer = sock.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413")
    assert _uploads_in_bucket() == before


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("{not json", "metadata is invalid"),
        ('{"agent_id": 42}', "agent_id"),
        ('{"direction": "sideways"}', "direction"),
        ('{"owner_id": "me"}', "owner_id"),  # no client field is bound blindly
        ('{"channels": {"agent": 0, "customer": 0}}', "different channels"),
        ('{"channels": {"agent": -1, "customer": 1}}', "channel numbers"),
        ('{"language": "klingon"}', "unknown language"),
        ('{"started_at": "yesterday"}', "started_at"),
        ('{"agent_id": "' + "x" * 300 + '"}', "agent_id"),
        ('["a list"]', "metadata"),
    ],
)
def test_invalid_metadata_is_refused_with_the_field_named(
    client, small_wav: Path, metadata, expected
):
    with small_wav.open("rb") as f:
        response = client.post(
            "/api/v1/calls", files={"audio": ("a.wav", f, "audio/wav")}, data={"metadata": metadata}
        )

    assert response.status_code == 422
    assert expected in response.json()["detail"]


def test_huge_metadata_is_refused(client, small_wav: Path):
    metadata = json.dumps({"extra": {"note": "x" * 100_000}})

    response = upload(client, small_wav, json.loads(metadata))

    assert response.status_code == 422


def test_requests_that_are_not_uploads_are_refused(client, small_wav: Path):
    assert client.post("/api/v1/calls", json={"audio": "x"}).status_code == 422
    no_audio = client.post("/api/v1/calls", data={"metadata": "{}"}, files={"other": ("x", b"1")})
    assert no_audio.status_code == 422
    assert "audio" in no_audio.json()["detail"]
    broken = client.post(
        "/api/v1/calls",
        content=b"--b\r\nContent-Disposition: garbage\r\n\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert broken.status_code == 422


def test_hostile_file_names_do_not_reach_the_object_key(client, db_session, small_wav: Path):
    from services.calls.tables import Call

    response = upload(
        client, small_wav, {"external_id": "hostile"}, name="../../etc/passwd\x00.wav"
    )

    call = db_session.get(Call, response.json()["id"])
    assert ".." not in call.object_key and "passwd" not in call.object_key


def test_metadata_time_zones_are_kept_as_utc(client, db_session, tmp_path: Path):
    from tests.synth import espeak, write_wav

    path = write_wav(tmp_path / "tz.wav", espeak("Time zone test call.", "customer")[None, :])
    response = upload(client, path, {"started_at": "2026-11-02T09:15:00+08:00"})

    body = client.get(f"/api/v1/calls/{response.json()['id']}").json()
    assert datetime.fromisoformat(body["started_at"]) == datetime(2026, 11, 2, 1, 15, tzinfo=UTC)


def _register(db_session, n: int, **meta):
    from services import storage
    from services.calls import service as calls_service
    from services.calls.schemas import CallMetadata

    ids = []
    for i in range(n):
        info = storage.ObjectInfo("listing", f"list/{meta}/{i}.wav", "v1", 1, {})
        call, _ = calls_service.register(
            db_session=db_session, info=info, source="reconcile", metadata=CallMetadata(**meta)
        )
        ids.append(call.id)
    db_session.commit()
    return ids


def test_list_filters_and_pages_by_keyset_without_gaps_or_repeats(client, db_session):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    ids = _register(db_session, 7, agent_id="PAGE-A", team="paging", started_at=start)
    _register(
        db_session, 3, agent_id="PAGE-B", team="paging", started_at=start + timedelta(days=40)
    )

    seen, cursor = [], None
    while True:
        params = {"agent_id": "PAGE-A", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/calls", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(ids, reverse=True)
    march = client.get(
        "/api/v1/calls",
        params={"team": "paging", "from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"},
    )
    assert {c["agent_id"] for c in march.json()["items"]} == {"PAGE-A"}
    assert client.get("/api/v1/calls", params={"status": "received", "team": "paging"}).json()[
        "items"
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 10_000},
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJiZWZvcmUiOiAieCJ9"},  # a well-formed cursor holding a string
        {"cursor": "eyJiZWZvcmUiOiAxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwfQ=="},  # an id beyond BIGINT
        {"team": "a\x00b"},
        {"from": "not a date"},
        {"status": "DROP TABLE"},
    ],
)
def test_bad_list_parameters_are_refused(client, params):
    assert client.get("/api/v1/calls", params=params).status_code == 422


def test_unknown_call_is_404(client):
    assert client.get("/api/v1/calls/999999999").status_code == 404
    assert client.get("/api/v1/calls/abc").status_code == 422


def test_health_and_docs(client):
    health = client.get("/healthz").json()
    assert (health["database"], health["broker"]) == ("ok", "ok")
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/calls", "/api/v1/calls/{call_id}", "/api/v1/ingest/s3-events"} <= set(paths)


@pytest.mark.committed  # the API runs in a child process
def test_upload_is_kept_when_the_broker_is_down(tmp_path: Path, db_session, admin_token):
    """Runs the API in a child process whose broker is unreachable (port 1 on loopback)."""
    import os
    import subprocess
    import sys

    from services.calls.tables import Call
    from tests.synth import espeak, write_wav

    wav = write_wav(tmp_path / "b.wav", espeak("The broker is down today.", "agent")[None, :])

    script = (
        "import json, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from services.api.app import create_app\n"
        "with open(sys.argv[1], 'rb') as f:\n"
        "    auth = {'Authorization': 'Bearer ' + sys.argv[2]}\n"
        "    client = TestClient(create_app(), headers=auth)\n"
        "    r = client.post('/api/v1/calls', files={'audio': ('b.wav', f)})\n"
        "print(json.dumps([r.status_code, r.json()]))\n"
    )
    env = {**os.environ, "ZHIJIAN_BROKER_URL": "redis://127.0.0.1:1/0"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(wav), admin_token],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    status, body = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == 202, out.stderr
    # Not queued, but kept: the reconciler queues calls left in `received`.
    assert db_session.get(Call, body["id"]).status == "received"
