"""A QA floor for the review tests: one team's people, their scored calls, sampled and assigned
through the API to the one inspector who may take them."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from tests.conftest import make_user

# services.* is imported inside the fixtures: this file loads before the test settings are set.

WEEK = datetime(2032, 5, 3, tzinfo=UTC)  # a Monday no other test samples


class Floor:
    """One team's people and calls, and API clients for each person."""

    def __init__(self) -> None:
        from services.api.app import create_app

        self.tag = secrets.token_hex(3)
        self.team = f"loop-{self.tag}"
        self.agent_id, self.other_agent_id = f"A-{self.tag}", f"B-{self.tag}"
        app = create_app()
        self.people: dict[str, TestClient] = {}
        for name, role, fields in (
            ("manager", "qa_manager", {}),
            ("inspector", "inspector", {"team": "qa-desk"}),
            ("stranger", "inspector", {"team": self.team}),  # never given this team's calls
            ("lead", "team_lead", {"team": self.team}),
            ("other_lead", "team_lead", {"team": f"other-{self.tag}"}),
            ("agent", "agent", {"agent_id": self.agent_id, "team": self.team}),
            ("other_agent", "agent", {"agent_id": self.other_agent_id, "team": self.team}),
            ("trainer", "training_lead", {}),
        ):
            username, token = make_user(role, **fields)
            self.people[name] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
            setattr(self, f"{name}_name", username)

    def __getattr__(self, name: str) -> TestClient:
        return self.people[name]


@pytest.fixture(scope="module")
def floor():
    """Scored calls of two agents, sampled and assigned to the one inspector who may take them."""
    from services.db import session_scope
    from services.people.tables import User
    from services.qa.tables import RotationPeriod
    from tests.qa.calls import ABUSIVE, FORBIDDEN, scored_call

    place = Floor()
    with session_scope() as db_session:
        # No rotation: reviews go to the least-loaded active inspector not from the team.
        db_session.execute(delete(RotationPeriod))
        others = list(db_session.scalars(select(User).where(User.role == "inspector")))
        for user in others:
            user.active = user.username in (place.inspector_name, place.stranger_name)
        db_session.commit()
        place.calls = {
            name: scored_call(
                db_session,
                agent_id=agent,
                team=place.team,
                lines=lines,
                started_at=WEEK + timedelta(days=day),
            ).id
            for name, agent, lines, day in (
                ("first", place.agent_id, FORBIDDEN, 0),
                ("second", place.agent_id, FORBIDDEN, 1),
                ("third", place.agent_id, FORBIDDEN, 2),
                ("red", place.other_agent_id, ABUSIVE, 3),
                ("misheard", place.other_agent_id, FORBIDDEN, 4),
                ("lapse", place.other_agent_id, FORBIDDEN, 5),
            )
        }
    plan = place.manager.post(
        "/api/v1/sampling/plans",
        json={
            "name": f"loop-{place.tag}",
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
    yield place
    with session_scope() as db_session:
        for user in others:
            user.active = True
        db_session.commit()


def review_call(floor, call: str, *, confirm: bool = True, release: bool = True) -> dict:
    """The inspector judges every hit, scores the manual items and submits."""
    review_id = floor.reviews[floor.calls[call]]
    detail = floor.inspector.get(f"/api/v1/reviews/{review_id}").json()
    hits = [h["hit_id"] for i in detail["items"] for h in i["hits"]]
    body = {
        "hits": [{"hit_id": h, "confirmed": confirm, "comment": "heard it"} for h in hits],
        "items": [
            {"item_id": "solution", "earned": 15},
            {"item_id": "attitude", "earned": 8, "comment": "curt"},
        ],
        "comment": "Listen to 0:12 together.",
    }
    saved = floor.inspector.put(f"/api/v1/reviews/{review_id}", json=body)
    assert saved.status_code == 200, saved.text
    submitted = floor.inspector.post(
        f"/api/v1/reviews/{review_id}/submit", json={"release": release}
    )
    assert submitted.status_code == 201, submitted.text
    return submitted.json()
