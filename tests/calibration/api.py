"""Calibration through the API, for the session tests: a desk of inspectors and an expert beside
a QA floor (tests/floor.py), and the steps a participant takes. The desk is written in the
session ``session_scope`` opens, so it lives as long as the test's (or the module's, with
``module_db``) transaction."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests import factories
from tests.floor import Floor

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The QA floor's calls that only a forbidden phrase hit: every participant scores the same form.
CALLS = ("first", "second", "third", "misheard")


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
