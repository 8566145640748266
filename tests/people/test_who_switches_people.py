"""Who may deactivate or activate whom is one rule (``manage.check_may_set_active``), asked the
same way through the API and through the people page: administrators and QA managers switch
people; only administrators switch administrators; nobody switches themselves off."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.audit.tables import AuditEntry
from services.people.tables import User
from tests import factories
from tests.web.signin import sign_in

Switch = Callable[[User, User, bool], int]


def _api(actor: User, token: str) -> Callable[[User, bool], int]:
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})
    return lambda target, active: (
        client.patch(f"/api/v1/users/{target.id}", json={"active": active}).status_code
    )


def _page(actor: User, _token: str) -> Callable[[User, bool], int]:
    client = TestClient(create_app())
    csrf = sign_in(client, actor.username)

    def switch(target: User, active: bool) -> int:
        answer = client.post(
            f"/people/users/{target.id}/active",
            data={"csrf_token": csrf, "active": "on" if active else "off"},
            follow_redirects=False,
        )
        return 200 if answer.status_code == 303 else answer.status_code  # a redirect: done

    return switch


DOORS = {"api": _api, "page": _page}


@pytest.fixture
def people(db_session):
    made = {role: factories.user(db_session, role) for role in ("admin", "qa_manager", "inspector")}
    made["other_admin"] = factories.user(db_session, "admin")
    made["other_manager"] = factories.user(db_session, "qa_manager")
    made["agent"] = factories.user(db_session, "agent", agent_id=factories.unique("SW"))
    db_session.commit()
    return made


def _door(door: str, people: dict, who: str) -> Callable[[User, bool], int]:
    user, token = people[who]
    return DOORS[door](user, token)


@pytest.mark.parametrize("door", DOORS)
def test_a_qa_manager_deactivates_and_reactivates_an_agent(door, people, db_session) -> None:
    switch, agent = _door(door, people, "qa_manager"), people["agent"][0]

    assert switch(agent, False) == 200
    db_session.refresh(agent)
    assert agent.active is False
    last = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.action == "user.deactivate" and last.detail["user"] == agent.username
    assert last.username == people["qa_manager"][0].username
    assert switch(agent, True) == 200
    db_session.refresh(agent)
    assert agent.active is True


@pytest.mark.parametrize("door", DOORS)
def test_a_qa_manager_switches_another_qa_manager_but_no_administrator(door, people, db_session):
    switch = _door(door, people, "qa_manager")
    admin, manager = people["admin"][0], people["other_manager"][0]

    assert switch(manager, False) == 200
    assert switch(admin, False) == 403
    db_session.refresh(admin)
    db_session.refresh(manager)
    assert admin.active is True and manager.active is False


@pytest.mark.parametrize("door", DOORS)
def test_an_administrator_switches_another_administrator(door, people, db_session) -> None:
    other = people["other_admin"][0]
    assert _door(door, people, "admin")(other, False) == 200
    db_session.refresh(other)
    assert other.active is False


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("who", ["admin", "qa_manager"])
def test_nobody_deactivates_themselves(door, who, people, db_session) -> None:
    me = people[who][0]
    assert _door(door, people, who)(me, False) == 409
    db_session.refresh(me)
    assert me.active is True


@pytest.mark.parametrize("door", DOORS)
def test_an_inspector_switches_nobody(door, people, db_session) -> None:
    agent = people["agent"][0]
    assert _door(door, people, "inspector")(agent, False) == 403
    db_session.refresh(agent)
    assert agent.active is True


def test_a_qa_manager_changes_nothing_else_of_a_person_over_the_api(people, db_session) -> None:
    _manager, token = people["qa_manager"]
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})
    agent = people["agent"][0]

    for change in ({"display_name": "x"}, {"role": "admin"}, {"active": False, "team": "t"}):
        answer = client.patch(f"/api/v1/users/{agent.id}", json=change)
        assert answer.status_code == 403, (change, answer.text)
    assert client.patch(f"/api/v1/users/{10**12}", json={"active": False}).status_code == 404
    db_session.refresh(agent)
    assert agent.active is True and agent.role == "agent"
