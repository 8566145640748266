"""Under load the API makes requests wait their turn; an exhausted pool is a 503, not a 500."""

from anyio import to_thread
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout


async def _threads() -> float:
    return to_thread.current_default_thread_limiter().total_tokens


def test_the_api_works_on_as_many_requests_at_once_as_it_has_connections(monkeypatch):
    from services.api.app import create_app
    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "db_pool_size", 7)
    with TestClient(create_app()) as client:
        assert client.portal.call(_threads) == 7


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
