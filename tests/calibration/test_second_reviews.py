"""The second reviewer a QA manager chooses for an inspector flagged for recalibration.

Two sessions with a tight tolerance, where one inspector scores far below the expert, flag that
inspector. With a share of 0.5 every second review they submit goes, as a re-evaluation, to
another inspector (not of the call's team); the first evaluation stays readable. An inspector
who is not flagged keeps every review, whatever share was chosen for them.
"""

import pytest

from tests import factories
from tests.calibration.api import Desk, answer, submit

BASE = "/api/v1/calibration"
SESSION_CALLS = ("first", "second", "third")


@pytest.fixture(scope="module")
def desk(floor):
    """An expert, an inspector far below them (flagged) and one who agrees (not flagged)."""
    desk = Desk(floor, inspectors=2)
    far, near = desk.inspectors
    for _ in range(2):
        sid = desk.session(calls=[floor.calls[n] for n in SESSION_CALLS], tolerance=0.02)["id"]
        for position in (1, 2, 3):
            for name in (desk.expert, far, near):
                solution = 4.0 if name == far else 12.0
                answer(desk.clients[name], sid, position, solution=solution, attitude=8.0)
        for name in (desk.expert, far, near):
            submit(desk.clients[name], sid)
    return desk


def _give(floor, call: str, username: str) -> int:
    """The floor's open review of ``call``, handed to ``username``; its id."""
    review_id = floor.reviews[floor.calls[call]]
    run_id = _review(floor, review_id)["run_id"]
    moved = floor.manager.post(
        f"/api/v1/sampling/runs/{run_id}/reassign",
        json={"review_ids": [review_id], "username": username},
    )
    assert moved.status_code == 200, moved.text
    return review_id


def _review(floor, review_id: int) -> dict:
    listed = floor.manager.get("/api/v1/reviews?status=open&limit=500").json()
    listed += floor.manager.get("/api/v1/reviews?status=submitted&limit=500").json()
    return next(r for r in listed if r["id"] == review_id)


def test_every_second_review_of_a_flagged_inspector_gets_a_second_reviewer(desk):
    floor, (far, _near) = desk.floor, desk.inspectors
    chosen = floor.manager.put(f"{BASE}/second-reviews/{far}", json={"share": 0.5})
    assert (chosen.json()["flagged"], chosen.json()["active"]) == (True, True), chosen.text

    kept = _give(floor, "second", far)
    first = factories.submit_review(desk.clients[far], kept)
    assert _review(floor, kept)["status"] == "submitted"

    seconded = _give(floor, "third", far)
    evaluation = factories.submit_review(desk.clients[far], seconded)
    reopened = _review(floor, seconded)
    assert reopened["status"] == "open"
    assert reopened["reason"] == f"re-evaluation: second review while {far} is recalibrated"
    assert reopened["inspector_name"] not in (far, floor.stranger_name)  # the stranger: the team's
    assert first["call_id"] != evaluation["call_id"]
    versions = floor.manager.get(f"/api/v1/evaluations/{evaluation['id']}").json()
    assert versions["id"] == evaluation["id"]  # the first evaluation stays readable


def test_an_inspector_who_is_not_flagged_keeps_every_review(desk):
    floor, (_far, near) = desk.floor, desk.inspectors
    chosen = floor.manager.put(f"{BASE}/second-reviews/{near}", json={"share": 1.0}).json()
    assert (chosen["flagged"], chosen["active"]) == (False, False)
    review_id = _give(floor, "lapse", near)
    factories.submit_review(desk.clients[near], review_id)
    found = _review(floor, review_id)
    assert (found["status"], found["inspector_name"]) == ("submitted", near)
