"""PostgreSQL restarted while calls are in flight: the API and a worker on a cluster of the
test's own (with a broker of its own: the other fault tests' worker knows other calls).

While the server is down every request answers at once (each is bounded) with 503 and the
reason, nothing hangs; once it is back the API and the worker reconnect (the pool tests a
connection before it lends it) and every call is scored exactly once: a transcription whose
connection died with the server is given back and retried, not failed.
"""

import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services import pipeline, storage
from services.config import get_settings
from services.db import get_engine, session_factory, upgrade_schema
from services.local.processes import Supervised, start_worker
from tests import factories
from tests.faults import common
from tests.faults.conftest import LEASE_S, READY, RECONCILE_S, VISIBILITY_S, Broker
from tests.faults.postgres import Cluster

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.committed]

DOWN_S = 10.0
REQUEST_BOUND_S = 10.0  # a request while the database is down must answer within this


class Ours:
    """The cluster, the broker, the worker's log and an API client signed in as an admin."""

    def __init__(self, cluster: Cluster, worker: Supervised, log: Path, http: httpx.Client):
        self.cluster = cluster
        self.worker = worker
        self.log = log
        self.http = http


@pytest.fixture
def own_database(live_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ours]:
    """This process's API and a worker, on a cluster, a broker and a bucket of the test's own."""
    settings = get_settings()
    cluster = Cluster().create("zhijian")
    tmp = Path(tempfile.mkdtemp(prefix="zhijian-pg-faults-"))
    broker = Broker(tmp / "redis").start()
    bucket = f"pg-faults-{secrets.token_hex(4)}"
    storage.ensure_bucket(bucket)
    monkeypatch.setattr(settings, "database_url", cluster.url("zhijian"))
    monkeypatch.setattr(settings, "broker_url", broker.url)
    monkeypatch.setattr(settings, "bucket", bucket)
    get_engine.cache_clear()  # the engine is made once per URL asked for; none was asked
    pipeline._sender.cache_clear()
    upgrade_schema()
    with session_factory()() as db_session:
        _admin, token = factories.user(db_session, "admin")
        db_session.commit()
    log = tmp / "worker.log"
    env = {
        "ZHIJIAN_DATABASE_URL": cluster.url("zhijian"),
        "ZHIJIAN_BROKER_URL": broker.url,
        "ZHIJIAN_BUCKET": bucket,
        "ZHIJIAN_RECONCILE_INTERVAL_S": str(RECONCILE_S),
        "ZHIJIAN_TRANSCRIPTION_LEASE_S": str(LEASE_S),
        "ZHIJIAN_BROKER_VISIBILITY_TIMEOUT_S": str(VISIBILITY_S),
    }
    worker = Supervised(
        lambda: start_worker(env=env, queues="asr,score,maintenance", beat=True, log_path=log),
        name="database-restart worker",
    ).start()
    http = httpx.Client(
        base_url=live_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_BOUND_S,
    )
    try:
        deadline = time.monotonic() + 60
        while READY not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        yield Ours(cluster, worker, log, http)
    finally:
        http.close()
        worker.stop()
        broker.stop()
        get_engine().dispose()
        get_engine.cache_clear()
        pipeline._sender.cache_clear()
        cluster.remove()


def _timed(request) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = request()
    return answer, time.monotonic() - started


def test_a_database_restart_answers_503_at_once_and_every_call_finishes_after_it(
    own_database: Ours, tmp_path
):
    ours, http = own_database, own_database.http

    def upload_one(n: int) -> httpx.Response:
        with common.recording(tmp_path, 200 + n).open("rb") as f:
            return http.post(
                "/api/v1/calls",
                files={"audio": (f"call-{n}.wav", f, "audio/wav")},
                data={"metadata": "{}"},
            )

    before = [upload_one(n) for n in range(3)]
    assert [r.status_code for r in before] == [202] * 3, [r.text for r in before]
    call_ids = [r.json()["id"] for r in before]
    deadline = time.monotonic() + 90
    while "transcribing" not in common.statuses(call_ids).values():  # mid-batch
        assert time.monotonic() < deadline, common.statuses(call_ids)
        time.sleep(0.2)
    at_stop = common.statuses(call_ids)

    ours.cluster.stop()
    stopped = time.monotonic()
    during = {
        "list": _timed(lambda: http.get("/api/v1/calls")),
        "call": _timed(lambda: http.get(f"/api/v1/calls/{call_ids[0]}")),
        "upload": _timed(lambda: upload_one(3)),
        "healthz": _timed(lambda: http.get("/healthz")),
    }
    common.rest_of_outage(stopped, DOWN_S)
    ours.cluster.start()
    down_s = time.monotonic() - stopped

    after = {
        "call": _timed(lambda: http.get(f"/api/v1/calls/{call_ids[0]}")),
        "upload": _timed(lambda: upload_one(4)),
    }
    call_ids.append(after["upload"][0].json()["id"])
    finished = common.wait_finished(call_ids, timeout_s=180)
    retries = ours.log.read_text(errors="replace").count("Retry in")
    print(
        f"\ninjected: PostgreSQL stopped (fast) {down_s:.1f} s with calls {at_stop}\n"
        f"counted: while down {_summary(during)}; after {_summary(after)}; worker restarts "
        f"{ours.worker.restarts}, task retries {retries}; "
        f"{sum(s == 'scored' for s in finished.values())} of {len(call_ids)} scored; "
        f"scores per call {sorted(common.scores_per_call(call_ids).values())}; "
        f"duplicated rows {common.duplicates(call_ids)}"
    )
    for name, (answer, seconds) in during.items():
        assert answer.status_code == 503, (name, answer.status_code, answer.text)
        assert seconds < REQUEST_BOUND_S, (name, seconds)
    for name in ("list", "call", "upload"):
        assert "database" in during[name][0].json()["detail"], during[name][0].text
        assert during[name][0].headers.get("Retry-After")
    assert during["healthz"][0].json()["database"] == "unreachable"
    assert after["call"][0].status_code == 200, after["call"][0].text
    assert after["upload"][0].status_code == 202, after["upload"][0].text
    assert ours.worker.restarts == 0  # the worker reconnected; it was not restarted
    assert finished == dict.fromkeys(call_ids, "scored")
    assert common.scores_per_call(call_ids) == dict.fromkeys(call_ids, 1)
    assert common.duplicates(call_ids) == {"scores": 0, "hits": 0, "turns": 0}


def _summary(answers: dict[str, tuple[httpx.Response, float]]) -> str:
    return ", ".join(f"{name} {a.status_code} in {s:.2f} s" for name, (a, s) in answers.items())
