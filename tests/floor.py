"""A QA floor: one team's people, their scored calls, sampled and assigned through the API to
the one inspector who may take them. Built in the caller's transaction (a module's, with
``module_db``), so it is the only team, rotation-free inspector pair and sampling plan the tests
of that module see."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests import factories

WEEK = datetime(2032, 5, 3, tzinfo=UTC)  # a Monday


class Floor:
    """One team's people and calls, and API clients for each person."""

    agent_id, other_agent_id = "A-LOOP", "B-LOOP"

    def __init__(self, db_session: Any, *, team: str) -> None:
        from services.api.app import create_app

        self.team = team
        app = create_app()
        self.people: dict[str, TestClient] = {}
        for name, role, fields in (
            ("manager", "qa_manager", {}),
            ("inspector", "inspector", {"team": "qa-desk"}),
            ("stranger", "inspector", {"team": self.team}),  # never given this team's calls
            ("lead", "team_lead", {"team": self.team}),
            ("other_lead", "team_lead", {"team": "other"}),
            ("agent", "agent", {"agent_id": self.agent_id, "team": self.team}),
            ("other_agent", "agent", {"agent_id": self.other_agent_id, "team": self.team}),
            ("trainer", "training_lead", {}),
        ):
            user, token = factories.user(db_session, role, **fields)
            self.people[name] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
            setattr(self, f"{name}_name", user.username)
        self.calls: dict[str, int] = {}
        self.reviews: dict[int, int] = {}

    def __getattr__(self, name: str) -> TestClient:
        return self.people[name]

    def review(self, call: str, *, confirm: bool = True, release: bool = True) -> dict[str, Any]:
        """The inspector judges every hit of ``call``, scores the manual items and submits."""
        review_id = self.reviews[self.calls[call]]
        return factories.submit_review(self.inspector, review_id, confirm=confirm, release=release)


def build(*, team: str = "loop") -> Floor:
    """Scored calls of two agents of ``team``, sampled and assigned through the API to the one
    inspector who may take them; written in the session ``session_scope`` opens."""
    from services.db import session_scope

    with session_scope() as db_session:
        # No rotation is planned: reviews go to the least-loaded active inspector not from
        # the team, and only the inspector and the stranger exist here.
        place = Floor(db_session, team=team)
        place.calls = {
            name: factories.scored_call(
                db_session,
                agent_id=agent,
                team=place.team,
                queue="qa-q",
                lines=lines,
                started_at=WEEK + timedelta(days=day),
            ).id
            for name, agent, lines, day in (
                ("first", place.agent_id, factories.FORBIDDEN, 0),
                ("second", place.agent_id, factories.FORBIDDEN, 1),
                ("third", place.agent_id, factories.FORBIDDEN, 2),
                ("red", place.other_agent_id, factories.ABUSIVE, 3),
                ("misheard", place.other_agent_id, factories.FORBIDDEN, 4),
                ("lapse", place.other_agent_id, factories.FORBIDDEN, 5),
            )
        }
    plan = place.manager.post(
        "/api/v1/sampling/plans",
        json={
            "name": f"floor {team}",
            "period": "week",
            "per_agent": 10,
            "per_agent_cap": 10,
            "filters": {"teams": [place.team]},
            "always": {"cap": 10},
        },
    )
    assert plan.status_code == 201, plan.text
    run = place.manager.post(
        f"/api/v1/sampling/plans/{plan.json()['id']}/runs", json={"at": WEEK.isoformat()}
    ).json()
    assert sorted(p["call_id"] for p in run["picks"]) == sorted(place.calls.values())
    assigned = place.manager.post(f"/api/v1/sampling/runs/{run['id']}/assign")
    assert assigned.status_code == 200, assigned.text
    place.reviews = {r["call_id"]: r["id"] for r in assigned.json()}
    assert sorted(place.reviews) == sorted(place.calls.values())
    return place
