"""Under load the API makes requests wait their turn; an exhausted pool is a 503, not a 500."""

import json
import secrets
import socket
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tests.synth import english_call, mix, write_wav


def test_requests_beyond_the_pool_wait_their_turn_and_probes_and_playback_pass(monkeypatch):
    from services.api.app import create_app
    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "db_pool_size", 1)
    app = create_app()
    release, entered = threading.Event(), []

    @app.get("/hold/{n}")
    def hold(n: int) -> None:
        entered.append(n)
        release.wait(10)

    @app.get("/probe/audio/stream")
    def stream() -> None:
        return None

    with TestClient(app) as client:
        first = threading.Thread(target=client.get, args=("/hold/1",))
        first.start()
        while not entered:
            time.sleep(0.01)
        second = threading.Thread(target=client.get, args=("/hold/2",))
        second.start()
        time.sleep(0.5)
        waiting = list(entered)
        assert client.get("/healthz").status_code == 200  # not behind the gate
        assert client.get("/probe/audio/stream").status_code == 200  # nor is playback
        release.set()
        first.join(10)
        second.join(10)

    assert waiting == [1]  # the second request waited for the first's place
    assert entered == [1, 2]


def test_no_connection_free_in_time_is_a_503_with_retry_after():
    from services.api.app import create_app

    app = create_app()

    @app.get("/busy")
    def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 20 overflow 10 reached")

    answer = TestClient(app, raise_server_exceptions=False).get(
        "/busy", headers={"Accept-Language": "zh-CN"}
    )

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["detail"] == "服务器繁忙，请几秒后再试"


@pytest.mark.committed  # the server's requests run on sessions of their own
def test_a_slow_upload_holds_no_place_while_its_body_streams_in(monkeypatch, tmp_path):
    from services.api.app import create_app
    from services.config import get_settings
    from services.db import session_scope
    from tests import factories
    from tests.servers import serving

    monkeypatch.setattr(get_settings(), "db_pool_size", 1)  # one place at the gate
    with session_scope() as db_session:
        _user, token = factories.user(db_session, "admin")
    recording = write_wav(tmp_path / "slow.wav", mix(english_call()[:1])).read_bytes()
    boundary = "zhijian-slow-upload"
    # Its own source call: the same synthetic bytes may be another test's call already.
    metadata = json.dumps({"external_id": f"slow-upload-{secrets.token_hex(4)}"})
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{metadata}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="slow.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + recording
        + f"\r\n--{boundary}--\r\n".encode()
    )

    with serving(create_app()) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as upload:
            upload.sendall(
                (
                    f"POST /api/v1/calls HTTP/1.1\r\nHost: {host}\r\n"
                    f"Authorization: Bearer {token}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                ).encode()
                + body[:1000]
            )
            time.sleep(1.0)  # the upload is authenticated and waits for the rest of its body
            started = time.monotonic()
            listed = httpx.get(
                f"{url}/api/v1/calls", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            waited = time.monotonic() - started
            upload.sendall(body[1000:])
            answer = upload.makefile("rb").read().decode(errors="replace")

    assert listed.status_code == 200 and waited < 5, waited
    assert answer.startswith("HTTP/1.1 202"), answer[:500]
