"""Who sees which call, stated per person: an agent sees their own calls and never a teammate's;
an inspector sees the calls of the teams and queues of their areas; the flagged filter returns
only what it names. Every test makes its own team, agents and calls."""

import secrets
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from services.api.app import create_app
from services.people import service as people_service
from tests import factories
from tests.factories import ABUSIVE, CLEAN, scored_call

STARTED = datetime(2031, 3, 4, 10, tzinfo=UTC)


def _team_calls(db_session, team: str, agents: dict[str, list]) -> dict[str, int]:
    """One scored call per agent id of ``team`` (lines per agent); returns agent id → call id."""
    return {
        agent: scored_call(
            db_session, agent_id=agent, team=team, started_at=STARTED, lines=lines
        ).id
        for agent, lines in agents.items()
    }


def _listed(client, **params) -> set[int]:
    response = client.get("/api/v1/calls", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


def test_an_agent_sees_their_own_calls_and_never_a_teammates(db_session, client_as):
    team = f"vis-{secrets.token_hex(3)}"
    me, mate = f"{team}-me", f"{team}-mate"
    calls = _team_calls(db_session, team, {me: CLEAN, mate: CLEAN})
    agent = client_as("agent", agent_id=me, team=team)

    assert _listed(agent, team=team) == {calls[me]}
    assert agent.get(f"/api/v1/calls/{calls[me]}").json()["agent_id"] == me
    assert agent.get(f"/api/v1/calls/{calls[mate]}").status_code == 404


def test_an_inspector_sees_the_calls_of_their_areas_teams(db_session):
    team, elsewhere = f"vis-{secrets.token_hex(3)}", f"vis-{secrets.token_hex(3)}"
    watched = _team_calls(db_session, team, {f"{team}-a": CLEAN, f"{team}-b": CLEAN})
    unwatched = _team_calls(db_session, elsewhere, {f"{elsewhere}-a": CLEAN})
    # The area names only the team: its calls' queue (qa-q) is in no area of this inspector.
    area = people_service.create_area(
        db_session=db_session, name=f"area-{team}", queues=[], teams=[team]
    )
    user, token = factories.user(db_session, "inspector")
    people_service.assign_areas(db_session=db_session, user=user, area_ids=[area.id])
    inspector = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})

    assert _listed(inspector, team=team) == set(watched.values())
    assert _listed(inspector, team=elsewhere) == set()
    for call_id in watched.values():
        assert inspector.get(f"/api/v1/calls/{call_id}").json()["id"] == call_id
    assert inspector.get(f"/api/v1/calls/{unwatched[f'{elsewhere}-a']}").status_code == 404


def test_the_flagged_filter_returns_only_flagged_calls(db_session, client):
    team = f"vis-{secrets.token_hex(3)}"
    calls = _team_calls(db_session, team, {f"{team}-red": ABUSIVE, f"{team}-clean": CLEAN})
    red, clean = calls[f"{team}-red"], calls[f"{team}-clean"]
    assert client.get(f"/api/v1/calls/{red}").json()["flagged"] is True
    assert client.get(f"/api/v1/calls/{clean}").json()["flagged"] is False

    assert _listed(client, team=team, flagged="true") == {red}
    assert _listed(client, team=team, flagged="false") == {clean}
    assert _listed(client, team=team) == {red, clean}
