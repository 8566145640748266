"""Calibration through the API, for the session tests: a QA floor (one team's people, their
scored calls, reviews assigned to an inspector), a desk of inspectors and an expert beside it,
and the steps a participant takes. The floor and the desk are written in the session they are
given or the one ``session_scope`` opens, so they live as long as the test's (or the module's,
with ``module_db``) transaction."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The QA floor's calls that only a forbidden phrase hit: every participant scores the same form.
CALLS = ("first", "second", "third", "misheard")
WEEK = datetime(2032, 5, 3, tzinfo=UTC)  # a Monday


class Floor:
    """One team's people and calls, and API clients for each person."""

    agent_id, other_agent_id, team = "A-LOOP", "B-LOOP", "loop-floor"

    def __init__(self, db_session: Any) -> None:
        from services.api.app import create_app

        app = create_app()
        self.people: dict[str, TestClient] = {}
        for name, role, fields in (
            ("manager", "qa_manager", {}),
            ("inspector", "inspector", {"team": "qa-desk"}),
            ("lead", "team_lead", {"team": self.team}),
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


def floor() -> Floor:
    """Scored calls of two agents, sampled and assigned through the API to the floor's
    inspector: with no rotation planned, reviews go to the least-loaded active inspector not
    from the team, and the floor's is the only one when it is made."""
    from services.db import session_scope

    with session_scope() as db_session:
        place = Floor(db_session)
        place.calls = {
            name: factories.scored_call(
                db_session,
                agent_id=agent,
                team=place.team,
                queue="cal-q",
                lines=lines,
                started_at=WEEK + timedelta(days=day),
            ).id
            for name, agent, lines, day in (
                ("first", place.agent_id, factories.FORBIDDEN, 0),
                ("second", place.agent_id, factories.FORBIDDEN, 1),
                ("third", place.agent_id, factories.FORBIDDEN, 2),
                ("red", place.other_agent_id, factories.ABUSIVE, 3),
                ("misheard", place.other_agent_id, factories.FORBIDDEN, 4),
            )
        }
    plan = place.manager.post(
        "/api/v1/sampling/plans",
        json={
            "name": "calibration floor",
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


class Desk:
    """An expert and inspectors, each with an API client, beside a QA floor's people."""

    def __init__(self, floor: Floor, inspectors: int) -> None:
        from services.api.app import create_app
        from services.db import session_scope

        app = create_app()
        self.floor = floor
        self.clients: dict[str, TestClient] = {}
        with session_scope() as db_session:
            for _ in range(inspectors + 1):
                user, token = factories.user(db_session, "inspector", team="qa-desk")
                headers = {"Authorization": f"Bearer {token}"}
                self.clients[user.username] = TestClient(app, headers=headers)
        self.expert, *self.inspectors = list(self.clients)

    def session(self, **extra) -> dict:
        """A new session of the floor's four calls, a week to go, created by the manager."""
        deadline = datetime.now(UTC).astimezone(SHANGHAI) + timedelta(days=7)
        body = {
            "title": "本周校准 weekly calibration",
            "calls": [self.floor.calls[name] for name in CALLS],
            "inspectors": self.inspectors,
            "expert": self.expert,
            "deadline": deadline.isoformat(),
            **extra,
        }
        created = self.floor.manager.post("/api/v1/calibration/sessions", json=body)
        assert created.status_code == 201, created.text
        return created.json()


def hits(client: TestClient, session_id: int, position: int) -> list[int]:
    """The machine hits on the call's form."""
    form = client.get(f"/api/v1/calibration/sessions/{session_id}/calls/{position}")
    assert form.status_code == 200, form.text
    return [h["hit_id"] for item in form.json()["items"] for h in item["hits"]]


def answer(
    client: TestClient,
    session_id: int,
    position: int,
    *,
    solution: float,
    attitude: float,
    confirm: bool = True,
    hit_ids: list[int] | None = None,
) -> dict:
    """Confirms (or rejects) every hit and scores the two manual items."""
    found = hit_ids if hit_ids is not None else hits(client, session_id, position)
    body = {
        "hits": [{"hit_id": h, "confirmed": confirm} for h in found],
        "items": [
            {"item_id": "solution", "earned": solution},
            {"item_id": "attitude", "earned": attitude},
        ],
    }
    saved = client.put(
        f"/api/v1/calibration/sessions/{session_id}/calls/{position}/answers/me", json=body
    )
    assert saved.status_code == 200, saved.text
    return saved.json()


def submit(client: TestClient, session_id: int) -> None:
    """Makes the participant's answers final."""
    done = client.post(f"/api/v1/calibration/sessions/{session_id}/submit")
    assert done.status_code == 200, done.text
