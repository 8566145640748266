"""Under load the API makes requests wait their turn; an exhausted pool is a 503, not a 500."""

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout


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
