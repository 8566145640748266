"""Every sensitive action is in GET /api/v1/audit with who did it and from where: sign-ins,
people and tokens, areas and teams, sampling, rotation, assignment, unredacted reading."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests import factories, floor

ADDRESS = "testclient"  # the client address Starlette's TestClient reports


def _entries(reader, action: str) -> list[dict]:
    """This test's entries of ``action``: those after the log's last entry when it began (tests
    that commit, earlier in the run, leave entries of their own)."""
    answer = reader.get("/api/v1/audit", params={"action": action, "limit": 500})
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json() if e["id"] > START["id"]]


START = {"id": 0}


@pytest.fixture(autouse=True)
def _from_here(client):
    """Notes where the log stood when the test began."""
    last = client.get("/api/v1/audit", params={"limit": 1}).json()
    START["id"] = last[0]["id"] if last else 0


def _who(reader, action: str) -> list[tuple[str, str]]:
    return [(e["username"], e["address"]) for e in _entries(reader, action)]


def _login(client, username: str, password: str = factories.PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_sign_ins_failures_password_changes_and_sign_outs(client, anonymous, db_session):
    from sqlalchemy import delete

    from services.api.app import create_app
    from services.people.tables import LoginThrottle

    user = factories.user(db_session, "inspector")[0]
    db_session.commit()
    browser = TestClient(create_app())
    bad = [_login(browser, user.username, "wrong password!").status_code for _ in range(5)]
    throttled = _login(browser, user.username).status_code
    db_session.execute(delete(LoginThrottle))  # the window passes
    db_session.commit()
    csrf = _login(browser, user.username).json()["csrf_token"]
    changed = browser.post(
        "/api/v1/me/password",
        json={"current_password": factories.PASSWORD, "new_password": "another long password"},
        headers={"X-CSRF-Token": csrf},
    )
    out = browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})

    assert bad == [401] * 5 and throttled == 429
    assert changed.status_code == 204 and out.status_code == 204
    mine = (user.username, ADDRESS)
    assert _who(client, "auth.login_failed").count(mine) == 5
    assert _who(client, "auth.login_throttled").count(mine) == 1
    assert _who(client, "auth.login").count(mine) == 1
    assert _who(client, "auth.password_change").count(mine) == 1
    assert _who(client, "auth.logout").count(mine) == 1


def test_user_and_token_changes(client, db_session):
    admin = client.get("/api/v1/me").json()["username"]
    made = client.post(
        "/api/v1/users", json={"username": "audited", "role": "inspector", "sign_in_link": True}
    ).json()
    token = client.post("/api/v1/tokens", json={"user_id": made["id"], "name": "ci"}).json()
    client.patch(f"/api/v1/users/{made['id']}", json={"display_name": "审计", "role": "qa_manager"})
    client.post(f"/api/v1/users/{made['id']}/password", json={"password": "a long password!"})
    client.patch(f"/api/v1/users/{made['id']}", json={"active": False})
    client.delete(f"/api/v1/tokens/{token['id']}")
    client.post("/api/v1/users/import", json={"csv": "username,role\naudited-2,admin\n"})
    client.delete(f"/api/v1/users/{made['id']}")

    for action in ("user.create", "user.sign_in_link", "user.update", "user.password_set",
                   "user.deactivate", "user.delete", "token.create", "token.revoke",
                   "user.import"):  # fmt: skip
        assert _who(client, action) == [(admin, ADDRESS)], action
    update = _entries(client, "user.update")[0]["detail"]
    assert update == {"user": "audited", "display_name": [None, "审计"],
                      "role": ["inspector", "qa_manager"]}  # fmt: skip
    assert _entries(client, "token.create")[0]["detail"]["token"] == token["id"]
    assert "a long password!" not in str(_entries(client, "user.password_set"))


def test_area_and_team_changes(client, client_as, db_session):
    manager = client_as("qa_manager")
    name = manager.get("/api/v1/me").json()["username"]
    area = manager.post("/api/v1/areas", json={"name": "audit-area", "queues": ["q"]}).json()
    inspector = client.post("/api/v1/users", json={"username": "ai", "role": "inspector"}).json()
    client.patch(f"/api/v1/users/{inspector['id']}", json={"area_ids": [area["id"]]})
    manager.patch(f"/api/v1/areas/{area['id']}", json={"active": False})
    team = manager.post("/api/v1/teams", json={"name": "audit-team"}).json()
    manager.patch(f"/api/v1/teams/{team['id']}", json={"display_name": "审计组"})
    manager.delete(f"/api/v1/teams/{team['id']}")

    for action in ("area.create", "area.update", "team.create", "team.update", "team.delete"):
        assert _who(client, action) == [(name, ADDRESS)], action
    admin = client.get("/api/v1/me").json()["username"]
    assert _who(client, "area.assign") == [(admin, ADDRESS)]
    assert _entries(client, "area.assign")[0]["detail"] == {"user": "ai", "areas": [area["id"]]}


def test_sampling_assignment_and_reassignment(client, db_session):
    place = floor.build(team="audit")
    factories.user(db_session, "inspector", team="elsewhere")
    db_session.commit()
    moved = place.manager.post("/api/v1/reviews/reassign", json={"username": place.inspector_name})

    assert moved.status_code == 200 and moved.json()
    for action in ("sampling.plan_create", "sampling.run", "review.assign", "review.reassign"):
        assert _who(client, action) == [(place.manager_name, ADDRESS)], action
    run = _entries(client, "sampling.run")[0]["detail"]
    assert run["picks"] == len(place.calls)
    assigned = _entries(client, "review.assign")[0]["detail"]["reviews"]
    assert sorted(map(int, assigned)) == sorted(place.reviews.values())
    assert _entries(client, "review.reassign")[0]["detail"]["from"] == place.inspector_name


def test_rotation_plans(client, client_as, db_session):
    manager = client_as("qa_manager")
    name = manager.get("/api/v1/me").json()["username"]
    manager.post("/api/v1/areas", json={"name": "rot-a", "queues": ["rq"]})
    factories.user(db_session, "inspector")
    db_session.commit()
    start = datetime(2033, 1, 3, tzinfo=UTC)

    planned = manager.post(
        "/api/v1/rotation",
        json={"start": start.isoformat(), "end": start.replace(day=10).isoformat()},
    )

    assert planned.status_code == 201, planned.text
    entries = _entries(client, "rotation.plan")
    assert [(e["username"], e["address"]) for e in entries] == [(name, ADDRESS)]
    assert entries[0]["detail"]["period"] == planned.json()["id"]


def test_reading_an_unredacted_transcript_names_the_address(client, db_session):
    call = factories.call_with_turns(db_session, lines=[("agent", 0.0, 1.0, "您好")])
    db_session.commit()

    answer = client.get(f"/api/v1/calls/{call.id}", params={"unredacted": True})

    assert answer.status_code == 200
    admin = client.get("/api/v1/me").json()["username"]
    assert _who(client, "call.read_unredacted") == [(admin, ADDRESS)]
