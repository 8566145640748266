"""Parallel requests against the live server: one decision per dispute, one dispute per item."""

import threading
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select

from tests.floor import Floor

PARALLEL = 10


def _all_at_once(live_url: str, requests: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    """Sends (token header, path, body) POSTs from one thread each, released together."""
    start = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def send(index: int, authorization: str, path: str, body: dict[str, Any]) -> None:
        with httpx.Client(base_url=live_url, timeout=60) as http:
            start.wait()
            answers[index] = http.post(
                path, json=body, headers={"Authorization": authorization, "Accept-Language": "en"}
            )

    threads = [
        threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return answers


def _bearer(client: Any) -> str:
    return str(client.headers["Authorization"])


def test_parallel_decisions_on_one_dispute_make_one_decision(race_floor: Floor, live_url: str):
    from services.audit.tables import AuditEntry
    from services.db import session_factory
    from services.notifications.tables import Notification
    from services.qa.evaluations.tables import Evaluation

    evaluation = race_floor.review("first")
    opened = race_floor.agent.post(
        f"/api/v1/evaluations/{evaluation['id']}/disputes",
        json={"item_id": "forbidden", "reason": "that is not what I said"},
    )
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["id"]
    deciders = [race_floor.lead, race_floor.manager]
    requests = [
        (
            _bearer(deciders[i % 2]),
            f"/api/v1/disputes/{dispute_id}/decision",
            {"decision": ("upheld", "overturned")[i % 2], "comment": f"decision {i}"},
        )
        for i in range(PARALLEL)
    ]

    answers = _all_at_once(live_url, requests)

    codes = Counter(a.status_code for a in answers)
    assert codes == {200: 1, 409: PARALLEL - 1}, [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 200)
    for loser in (a for a in answers if a.status_code == 409):
        assert loser.json()["detail"] == (
            f"dispute {dispute_id} was already decided ({winner['status']})"
        )
    stored = race_floor.manager.get(f"/api/v1/disputes?status={winner['status']}").json()
    assert [(d["id"], d["decision_comment"]) for d in stored] == [
        (dispute_id, winner["decision_comment"])
    ]
    with session_factory()() as db_session:
        decided = db_session.scalars(
            select(AuditEntry).where(AuditEntry.action == "dispute.decided")
        ).all()
        told = db_session.scalars(
            select(Notification).where(Notification.kind == "dispute_decided")
        ).all()
        versions = db_session.scalars(
            select(Evaluation.version).where(Evaluation.review_id == evaluation["review_id"])
        ).all()
    assert [e.detail["decision"] for e in decided] == [winner["status"]]
    assert [n.subject["dispute_id"] for n in told] == [dispute_id] * len(told)
    assert sorted(Counter(n.user_id for n in told).values()) == [1, 1]  # agent and inspector
    assert sorted(versions) == ([1, 2] if winner["status"] == "overturned" else [1])


def test_parallel_disputes_on_one_item_open_one(race_floor: Floor, live_url: str):
    evaluation = race_floor.review("second")
    requests = [
        (
            _bearer(race_floor.agent),
            f"/api/v1/evaluations/{evaluation['id']}/disputes",
            {"item_id": "forbidden", "reason": f"objection {i}"},
        )
        for i in range(PARALLEL)
    ]

    answers = _all_at_once(live_url, requests)

    codes = Counter(a.status_code for a in answers)
    assert codes == {201: 1, 409: PARALLEL - 1}, [a.text for a in answers]
    assert {a.json()["detail"] for a in answers if a.status_code == 409} == {
        "item 'forbidden' is already disputed"
    }
    opened = race_floor.lead.get("/api/v1/disputes?status=open").json()
    mine = [d for d in opened if d["evaluation_id"] == evaluation["id"]]
    winner = next(a.json() for a in answers if a.status_code == 201)
    assert [(d["id"], d["reason"]) for d in mine] == [(winner["id"], winner["reason"])]
