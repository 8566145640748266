"""/healthz reports the database, the broker and the workers; probes get 503 when they ask."""

import time

import pytest

EN = {"Accept-Language": "en"}


def test_health_is_degraded_with_the_reasons_when_no_worker_reports(anonymous, db_session):
    from sqlalchemy import delete

    from services.health.tables import WorkerBeat

    db_session.execute(delete(WorkerBeat))
    db_session.commit()

    relaxed = anonymous.get("/healthz", headers=EN)
    strict = anonymous.get("/healthz", params={"strict": "true"}, headers=EN)

    assert relaxed.status_code == 200 and strict.status_code == 503
    body = strict.json()
    assert (body["status"], body["database"], body["broker"], body["workers"]) == (
        "degraded",
        "ok",
        "ok",
        [],
    )
    assert any("queue asr " in reason for reason in body["reasons"])
    assert any("queue score " in reason for reason in body["reasons"])


def test_a_silent_worker_counts_as_gone_and_a_reporting_one_as_alive(anonymous, db_session):
    from datetime import timedelta

    from sqlalchemy import delete

    from services.db import utcnow
    from services.health import service as health_service
    from services.health.tables import WorkerBeat

    db_session.execute(delete(WorkerBeat))
    health_service.beat(db_session=db_session, name="live", queues="asr,score,maintenance")
    db_session.add(
        WorkerBeat(
            name="killed",
            queues="asr-gpu",
            pid=1,
            seen_at=utcnow() - timedelta(seconds=health_service.SILENT_AFTER_S + 1),
        )
    )
    db_session.commit()

    body = anonymous.get("/healthz", params={"strict": "true"}, headers=EN).json()

    assert body["status"] == "ok" and body["reasons"] == []
    assert [w["name"] for w in body["workers"]] == ["live"]
    assert body["workers"][0]["queues"] == ["asr", "score", "maintenance"]


def test_an_unreachable_broker_makes_health_degraded(anonymous, monkeypatch):
    from services.config import get_settings
    from services.local.processes import free_port

    monkeypatch.setattr(get_settings(), "broker_url", f"redis://127.0.0.1:{free_port()}/0")

    started = time.monotonic()
    body = anonymous.get("/healthz", headers=EN).json()

    assert time.monotonic() - started < 5
    assert body["broker"] == "unreachable"
    assert any("broker is unreachable" in reason for reason in body["reasons"])


@pytest.mark.slow
def test_a_running_worker_reports_itself_with_its_queues(worker, anonymous):
    deadline = time.monotonic() + 30
    while True:
        workers = anonymous.get("/healthz", headers=EN).json()["workers"]
        if any(w["name"].endswith(f".{worker.pid}") for w in workers):
            break
        assert time.monotonic() < deadline, workers
        time.sleep(0.5)
    mine = next(w for w in workers if w["name"].endswith(f".{worker.pid}"))
    assert set(mine["queues"]) == {"asr", "score", "maintenance"}
