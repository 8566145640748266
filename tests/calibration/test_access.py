"""Calibration in the access table: every role against every calibration endpoint.

QA managers (and admins) see and run everything; a participant sees the sessions they take part
in and only their own answers until the reveal (another's answer, the gold and the results answer
404, as objects one may not see), everything after it; an inspector outside the session gets 404
for it; agents, team leads and training leads see nothing of calibration (403 on the lists,
404 on a session).
"""

import pytest

from tests import factories
from tests.calibration.api import Desk, answer

BASE = "/api/v1/calibration"
ROLES = ("admin", "manager", "trainer", "lead", "agent", "participant", "expert", "outsider")
SEES_SESSION = {"admin", "manager", "participant", "expert"}
MANAGERS = {"admin", "manager"}


@pytest.fixture(scope="module")
def world(floor):
    """A session with two inspectors and an expert, who all answered its first call."""
    from fastapi.testclient import TestClient

    from services.api.app import create_app
    from services.db import session_scope

    desk = Desk(floor, inspectors=2)
    with session_scope() as db_session:
        _, token = factories.user(db_session, "admin")
    clients = {
        "admin": TestClient(create_app(), headers={"Authorization": f"Bearer {token}"}),
        "manager": floor.manager, "trainer": floor.trainer, "lead": floor.lead,
        "agent": floor.agent, "participant": desk.clients[desk.inspectors[0]],
        "expert": desk.clients[desk.expert], "outsider": floor.inspector,
    }  # fmt: skip
    return desk, clients, _answered(desk)


def _answered(desk: Desk) -> int:
    sid = desk.session()["id"]
    for name in (desk.expert, *desk.inspectors):
        answer(desk.clients[name], sid, 1, solution=10, attitude=8)
    return sid


def _paths(desk: Desk, sid: int) -> dict[str, str]:
    other = desk.inspectors[1]
    return {
        "session": f"{BASE}/sessions/{sid}",
        "form": f"{BASE}/sessions/{sid}/calls/1",
        "own": f"{BASE}/sessions/{sid}/calls/1/answers/me",
        "another": f"{BASE}/sessions/{sid}/calls/1/answers/{other}",
        "expert": f"{BASE}/sessions/{sid}/calls/1/answers/{desk.expert}",
        "gold": f"{BASE}/sessions/{sid}/calls/1/gold",
        "results": f"{BASE}/sessions/{sid}/results",
    }


def _expected(role: str, path: str, revealed: bool) -> int:
    if role not in SEES_SESSION:
        return 404  # the session is an object they may not see
    if role in MANAGERS:
        return 404 if path == "own" else 200  # managers answer nothing themselves
    if path in ("session", "form"):
        return 200
    if path == "own" or (role == "expert" and path == "expert"):
        return 200  # their own answer
    return 200 if revealed else 404


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_share_of_calibration(world, role):
    desk, clients, sid = world
    client = clients[role]
    listed = client.get(f"{BASE}/sessions")
    if role in ("trainer", "lead", "agent"):
        assert listed.status_code == 403
    else:
        assert (sid in {s["id"] for s in listed.json()}) == (role in SEES_SESSION)
    for name, path in _paths(desk, sid).items():
        got = client.get(path)
        assert got.status_code == _expected(role, name, revealed=False), (name, got.text)
        if name == "form" and got.status_code == 200:
            assert (got.json()["call_id"] is None) == (role not in MANAGERS)  # agent hidden
    for path in ("/report", "/second-reviews"):
        assert client.get(BASE + path).status_code == (200 if role in MANAGERS else 403)
    if role not in MANAGERS:
        assert client.post(f"{BASE}/sessions/{sid}/reveal").status_code in (403, 404)
        assert client.get(f"{BASE}/sessions/{sid}").status_code in (200, 404)  # still hidden


def test_after_the_reveal_participants_see_everything_and_the_rest_still_nothing(world):
    desk, clients, _ = world
    sid = _answered(desk)
    assert clients["participant"].get(f"{BASE}/sessions/{sid}/calls/1/gold").status_code == 404
    assert clients["manager"].post(f"{BASE}/sessions/{sid}/reveal").status_code == 200
    for role in ROLES:
        for name, path in _paths(desk, sid).items():
            got = clients[role].get(path)
            assert got.status_code == _expected(role, name, revealed=True), (role, name)
    gold = clients["participant"].get(f"{BASE}/sessions/{sid}/calls/1/gold").json()
    assert gold["source"] == "expert"
