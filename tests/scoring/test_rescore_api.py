"""Re-scoring jobs over the API: QA managers and admins make, follow and resume them."""

from services.config import get_settings
from services.scoring.rescore import service as rescore_service
from tests import factories
from tests.scoring.test_rescore import _old_scored


def test_a_manager_makes_a_job_and_follows_its_progress(client_as, db_session):
    team = factories.unique("team")
    calls = [_old_scored(db_session, team=team) for _ in range(3)]
    db_session.commit()
    manager = client_as("qa_manager")

    made = manager.post("/api/v1/rescore-jobs", json={"team": team, "chunk_size": 2})
    assert made.status_code == 202, made.text
    job = made.json()
    assert (job["total"], job["chunks"], job["state"], job["queued"]) == (3, 2, "queued", True)
    assert job["team"] == team and job["versions"]["zh-service"]
    # What a worker does with the queued chunks, done here.
    for chunk_id in rescore_service.pending_chunks(db_session=db_session, job_id=job["id"]):
        rescore_service.run_chunk(
            db_session=db_session, chunk_id=chunk_id, rules_dir=get_settings().rules_dir
        )
    db_session.commit()

    shown = manager.get(f"/api/v1/rescore-jobs/{job['id']}").json()
    assert (shown["state"], shown["done"], shown["chunks_done"]) == ("done", len(calls), 2)
    assert job["id"] in [j["id"] for j in manager.get("/api/v1/rescore-jobs").json()]
    resumed = manager.post(f"/api/v1/rescore-jobs/{job['id']}/resume")
    assert resumed.status_code == 202 and resumed.json()["done"] == 3


def test_bad_selectors_are_422_with_the_reason(client):
    backwards = client.post(
        "/api/v1/rescore-jobs", json={"since": "2026-12-02", "until": "2026-12-01"}
    )
    nobody = client.post("/api/v1/rescore-jobs", json={"team": "no-such-team"})

    assert backwards.status_code == 422
    assert "--since 2026-12-02 is after --until 2026-12-01" in backwards.text
    assert nobody.status_code == 422 and "no call belongs to team" in nobody.text
    for hostile in (
        {"team": "t\x00"},
        {"pack_version": "\x00"},
        {"since": "0001-01-01"},
        {"chunk_size": 0},
        {"surprise": True},
    ):
        refused = client.post("/api/v1/rescore-jobs", json=hostile)
        assert refused.status_code == 422, (hostile, refused.text)


def test_only_managers_and_admins_see_jobs(client_as, client):
    assert client.get("/api/v1/rescore-jobs/999999999").status_code == 404
    for role, fields in (
        ("agent", {"agent_id": factories.unique("A")}),
        ("inspector", {}),
        ("team_lead", {"team": "T1"}),
    ):
        someone = client_as(role, **fields)
        assert someone.get("/api/v1/rescore-jobs").status_code == 403
        assert someone.post("/api/v1/rescore-jobs", json={}).status_code == 403
