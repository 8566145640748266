"""People over the API: who may manage users, tokens, teams and areas, what they may change,
and bad input answered 4xx."""

import pytest

from tests import factories


def _as(client_as, role: str, **fields: str):
    return client_as(role, **fields)


ADMIN_ONLY = (
    ("patch", "/api/v1/users/1", {"display_name": "x"}),
    ("delete", "/api/v1/users/1", None),
    ("post", "/api/v1/users/1/password", {"password": "long enough password"}),
    ("post", "/api/v1/users/import", {"csv": "username,role\nx,admin\n"}),
    ("post", "/api/v1/users", {"username": "x-admin", "role": "admin"}),
    ("get", "/api/v1/tokens", None),
    ("post", "/api/v1/tokens", {"user_id": 1}),
    ("delete", "/api/v1/tokens/1", None),
)
MANAGERS_TOO = (
    ("get", "/api/v1/users", None),
    ("get", "/api/v1/users/1", None),
    ("post", "/api/v1/users", {"username": "x-user", "role": "agent", "agent_id": "X"}),
    ("post", "/api/v1/users/import", {"csv": "username,role\nx-agent,agent\n"}),
    ("post", "/api/v1/users/1/sign-in-link", None),
)


@pytest.mark.parametrize(
    ("role", "fields", "refused"),
    [
        ("qa_manager", {}, ADMIN_ONLY),
        ("inspector", {}, ADMIN_ONLY + MANAGERS_TOO),
        ("team_lead", {"team": "t"}, ADMIN_ONLY + MANAGERS_TOO),
        ("agent", {"agent_id": "A"}, ADMIN_ONLY + MANAGERS_TOO),
    ],
)
def test_only_admins_manage_users_and_tokens(client_as, role, fields, refused):
    someone = client_as(role, **fields)

    for method, path, body in refused:
        kwargs = {"json": body} if body is not None else {}
        assert someone.request(method.upper(), path, **kwargs).status_code == 403, (role, path)


def test_teams_and_areas_are_for_managers(client_as):
    manager, lead = client_as("qa_manager"), client_as("team_lead", team="t-x")
    inspector = client_as("inspector")

    created = manager.post("/api/v1/teams", json={"name": "t-api", "display_name": "一组"})

    assert created.status_code == 201 and created.json()["display_name"] == "一组"
    assert lead.get("/api/v1/teams").status_code == 403
    assert lead.post("/api/v1/teams", json={"name": "mine"}).status_code == 403
    assert inspector.post("/api/v1/areas", json={"name": "mine"}).status_code == 403
    assert inspector.get("/api/v1/areas").status_code == 200
    assert lead.get("/api/v1/areas").status_code == 403


def test_a_user_is_created_renamed_given_a_language_deactivated_and_deleted(client, anonymous):
    created = client.post(
        "/api/v1/users",
        json={"username": "api-agent", "role": "agent", "agent_id": "API-1", "team": "t-api",
              "display_name": "王小明", "password": "a long enough password", "language": "en"},
    )  # fmt: skip
    user_id = created.json()["id"]
    token = client.post("/api/v1/tokens", json={"user_id": user_id, "name": "robot"}).json()
    renamed = client.patch(f"/api/v1/users/{user_id}", json={"username": "api-agent-2",
                                                             "language": "zh_CN"})  # fmt: skip
    listed = client.get("/api/v1/users", params={"team": "t-api"}).json()
    tokens = client.get("/api/v1/tokens", params={"user_id": user_id}).json()

    assert created.status_code == 201, created.text
    assert created.json()["has_password"] is True and created.json()["language"] == "en"
    assert renamed.json()["username"] == "api-agent-2" and renamed.json()["language"] == "zh_CN"
    assert [u["display_name"] for u in listed] == ["王小明"]
    assert [(t["name"], t["username"], t["token"]) for t in tokens] == [
        ("robot", "api-agent-2", None)
    ]
    robot = {"Authorization": f"Bearer {token['token']}"}
    assert anonymous.get("/api/v1/me", headers=robot).json()["username"] == "api-agent-2"

    off = client.patch(f"/api/v1/users/{user_id}", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert anonymous.get("/api/v1/me", headers=robot).status_code == 401
    assert client.patch(f"/api/v1/users/{user_id}", json={"active": True}).json()["active"]
    assert anonymous.get("/api/v1/me", headers=robot).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    assert anonymous.get("/api/v1/me", headers=robot).status_code == 401

    assert client.delete(f"/api/v1/users/{user_id}").status_code == 204
    assert client.get(f"/api/v1/users/{user_id}").status_code == 404
    assert client.delete(f"/api/v1/users/{user_id}").status_code == 404


def test_an_admin_cannot_lock_themselves_out(client):
    me = client.get("/api/v1/me").json()["username"]
    mine = next(u for u in client.get("/api/v1/users").json() if u["username"] == me)

    for change in ({"active": False}, {"role": "inspector"}):
        assert client.patch(f"/api/v1/users/{mine['id']}", json=change).status_code == 409
    assert client.delete(f"/api/v1/users/{mine['id']}").status_code == 409
    assert (
        client.patch(f"/api/v1/users/{mine['id']}", json={"display_name": "我"}).status_code == 200
    )


def test_a_user_with_work_on_record_is_deactivated_not_deleted(client, db_session):
    from services.qa.reviews.tables import Review

    inspector, _token = factories.user(db_session, "inspector")
    call = factories.call(db_session, status="scored")
    db_session.add(Review(call_id=call.id, inspector_id=inspector.id, priority=1, reason="r"))
    db_session.commit()

    answer = client.delete(f"/api/v1/users/{inspector.id}")

    assert answer.status_code == 409 and inspector.username in answer.json()["detail"]
    assert client.get(f"/api/v1/users/{inspector.id}").json()["active"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "u1", "role": "emperor"}, 422),
        ({"username": "", "role": "admin"}, 422),
        ({"username": "u\x00", "role": "admin"}, 422),
        ({"username": "u2", "role": "agent"}, 422),  # no agent id
        ({"username": "u3", "role": "team_lead"}, 422),  # no team
        ({"username": "u4", "role": "admin", "password": "short"}, 422),
        ({"username": "u5", "role": "admin", "language": "fr"}, 422),
        ({"username": "u6", "role": "admin", "is_root": True}, 422),
        ({"username": "u7", "role": "admin", "hired_on": "soon"}, 422),
    ],
)
def test_bad_users_are_refused(client, body, status):
    answer = client.post("/api/v1/users", json=body)

    assert answer.status_code == status, answer.text
    names = [u["username"] for u in client.get("/api/v1/users").json()]
    assert body["username"] not in names


def test_a_taken_username_is_a_conflict(client):
    first = client.post("/api/v1/users", json={"username": "twin", "role": "inspector"})
    second = client.post("/api/v1/users", json={"username": "twin", "role": "inspector"})
    other = client.post("/api/v1/users", json={"username": "twin-2", "role": "inspector"})
    rename = client.patch(f"/api/v1/users/{other.json()['id']}", json={"username": "twin"})

    assert first.status_code == 201
    assert second.status_code == 409 and rename.status_code == 409
    assert (
        client.patch(f"/api/v1/users/{other.json()['id']}", json={"username": None}).json()[
            "username"
        ]
        == "twin-2"
    )  # null for a required field leaves it as it is


def test_areas_go_to_inspectors_only_and_must_exist(client, client_as):
    manager = client_as("qa_manager")
    area = manager.post("/api/v1/areas", json={"name": "north", "queues": ["q-n"]}).json()
    inspector = client.post("/api/v1/users", json={"username": "ins-n", "role": "inspector"})
    agent = client.post("/api/v1/users", json={"username": "ag-n", "role": "agent",
                                               "agent_id": "AG-N"})  # fmt: skip
    path = f"/api/v1/users/{inspector.json()['id']}"

    given = client.patch(path, json={"area_ids": [area["id"]]})
    unknown = client.patch(path, json={"area_ids": [area["id"], 10**12]})
    to_agent = client.patch(f"/api/v1/users/{agent.json()['id']}", json={"area_ids": [area["id"]]})
    watching = {a["name"]: a["inspectors"] for a in manager.get("/api/v1/areas").json()}

    assert given.status_code == 200 and given.json()["area_ids"] == [area["id"]]
    assert unknown.status_code == 404 and to_agent.status_code == 422
    assert watching["north"] == ["ins-n"]
    in_use = manager.delete(f"/api/v1/areas/{area['id']}")
    assert in_use.status_code == 409
    off = manager.patch(f"/api/v1/areas/{area['id']}", json={"active": False, "name": "north-old"})
    assert off.json() == {"id": area["id"], "name": "north-old", "queues": ["q-n"], "teams": [],
                          "active": False, "inspectors": []}  # fmt: skip
    assert client.patch(path, json={"area_ids": [area["id"]]}).status_code == 404
    assert manager.delete(f"/api/v1/areas/{area['id']}").status_code == 204
    assert manager.post("/api/v1/areas", json={"name": "x", "queues": ["\x00"]}).status_code == 422


def test_teams_are_registered_renamed_for_people_and_deleted_when_unused(client_as, db_session):
    manager = client_as("qa_manager")
    made = manager.post("/api/v1/teams", json={"name": "t-del"}).json()
    used = manager.post("/api/v1/teams", json={"name": "t-used"}).json()
    factories.user(db_session, "team_lead", team="t-used")
    db_session.commit()

    shown = manager.patch(f"/api/v1/teams/{used['id']}", json={"display_name": "二组"}).json()

    assert shown["display_name"] == "二组" and shown["members"] == 1
    assert manager.post("/api/v1/teams", json={"name": "t-del"}).status_code == 409
    assert manager.delete(f"/api/v1/teams/{used['id']}").status_code == 409
    assert manager.delete(f"/api/v1/teams/{made['id']}").status_code == 204
    assert [t["name"] for t in manager.get("/api/v1/teams").json()] == ["t-used"]
    assert manager.patch(f"/api/v1/teams/{10**12}", json={"active": False}).status_code == 404


def test_import_over_the_api_with_links_or_an_initial_password(client, anonymous):
    csv = (
        "username,role,team,agent_id,display_name\nimp-a,agent,t-i,IMP-A,甲\nimp-b,inspector,,,乙\n"
    )

    linked = client.post("/api/v1/users/import", json={"csv": csv, "sign_in_links": True})
    again = client.post("/api/v1/users/import", json={"csv": csv})
    other = csv.replace("imp-", "imp2-").replace("IMP-", "IMP2-")
    with_password = client.post(
        "/api/v1/users/import", json={"csv": other, "initial_password": "first day password"}
    )
    bad = client.post("/api/v1/users/import", json={"csv": "username,role\nx,emperor\n"})

    assert linked.status_code == 201, linked.text
    assert [(u["username"], u["display_name"], u["has_password"]) for u in linked.json()] == [
        ("imp-a", "甲", False), ("imp-b", "乙", False)
    ]  # fmt: skip
    assert all(u["sign_in_link"]["link"].startswith("zjl_") for u in linked.json())
    assert again.status_code == 409
    assert bad.status_code == 422 and "emperor" in bad.json()["detail"]
    assert with_password.status_code == 201
    anonymous.headers.pop("Authorization")
    signed_in = anonymous.post(
        "/api/v1/auth/login", json={"username": "imp2-b", "password": "first day password"}
    )
    assert signed_in.status_code == 200


def test_ids_beyond_the_database_range_are_refused(client):
    for path in ("/api/v1/users/99999999999999999999", "/api/v1/tokens/99999999999999999999"):
        assert client.get(path).status_code in (404, 405, 422)
    assert client.get("/api/v1/tokens", params={"user_id": 10**30}).status_code == 422
    assert client.post("/api/v1/tokens", json={"user_id": 10**30}).status_code == 422
    assert client.post("/api/v1/tokens", json={"user_id": 10**12}).status_code == 404
