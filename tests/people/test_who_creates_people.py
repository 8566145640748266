"""Who may create whom is one rule (``manage.check_may_create``), asked the same way through the
API and through the manage page: administrators create anyone; QA managers anyone but
administrators; nobody else creates people. Every creation is audited under its author."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.api.app import create_app
from services.audit.tables import AuditEntry
from services.people.tables import User
from tests import factories
from tests.web.signin import sign_in

Create = Callable[[str, str], int]


def _api(token: str) -> Create:
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})
    return lambda username, role: (
        client.post(
            "/api/v1/users",
            json={"username": username, "role": role, "password": factories.PASSWORD},
        ).status_code
    )


def _page(username_of_actor: str) -> Create:
    client = TestClient(create_app())
    csrf = sign_in(client, username_of_actor)

    def create(username: str, role: str) -> int:
        answer = client.post(
            "/manage/users",
            data={"csrf_token": csrf, "username": username, "role": role,
                  "password": factories.PASSWORD},
            follow_redirects=False,
        )  # fmt: skip
        return 201 if answer.status_code == 303 else answer.status_code  # a redirect: done

    return create


def _door(door: str, db_session, role: str) -> tuple[User, Create]:
    actor, token = factories.user(db_session, role)
    db_session.commit()
    return actor, _api(token) if door == "api" else _page(actor.username)


def _exists(db_session, username: str) -> bool:
    return bool(db_session.scalar(select(func.count()).where(User.username == username)))


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_qa_manager_creates_an_inspector_audited_under_their_name(door, db_session) -> None:
    manager, create = _door(door, db_session, "qa_manager")
    username = factories.unique("new-inspector")

    assert create(username, "inspector") == 201
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.create").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.detail["user"] == username
    assert entry.username == manager.username


@pytest.mark.parametrize("door", ["api", "page"])
def test_only_an_administrator_creates_an_administrator(door, db_session) -> None:
    _manager, by_manager = _door(door, db_session, "qa_manager")
    _admin, by_admin = _door(door, db_session, "admin")
    refused, made = factories.unique("adm-no"), factories.unique("adm-yes")

    assert by_manager(refused, "admin") == 403
    assert by_admin(made, "admin") == 201
    assert not _exists(db_session, refused) and _exists(db_session, made)


@pytest.mark.parametrize("door", ["api", "page"])
def test_an_inspector_creates_nobody(door, db_session) -> None:
    _inspector, create = _door(door, db_session, "inspector")
    username = factories.unique("by-inspector")
    assert create(username, "agent") == 403
    assert not _exists(db_session, username)


def test_a_qa_manager_imports_people_of_the_floor_but_no_administrator(db_session) -> None:
    _manager, token = factories.user(db_session, "qa_manager")
    db_session.commit()
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})
    agent, admin = factories.unique("imp-agent"), factories.unique("imp-admin")

    mixed = client.post(
        "/api/v1/users/import",
        json={"csv": f"username,role,agent_id\n{agent},agent,{agent}\n{admin},admin,\n"},
    )
    assert mixed.status_code == 403
    assert not _exists(db_session, agent) and not _exists(db_session, admin)  # all or none

    floor = client.post(
        "/api/v1/users/import",
        json={"csv": f"username,role,agent_id\n{agent},agent,{agent}\n", "sign_in_links": True},
    )
    assert floor.status_code == 201, floor.text
    assert floor.json()[0]["sign_in_link"]["link"]
    listed = {u["username"] for u in client.get("/api/v1/users", params={"role": "agent"}).json()}
    assert agent in listed


def test_a_qa_manager_renews_sign_in_links_for_anyone_but_administrators(db_session) -> None:
    _manager, token = factories.user(db_session, "qa_manager")
    agent, _ = factories.user(db_session, "agent", agent_id=factories.unique("SL"))
    admin, _ = factories.user(db_session, "admin")
    db_session.commit()
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})

    assert client.post(f"/api/v1/users/{agent.id}/sign-in-link").status_code == 201
    assert client.post(f"/api/v1/users/{admin.id}/sign-in-link").status_code == 403
