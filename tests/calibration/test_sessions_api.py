"""Calibration sessions over the API.

A QA manager creates a session of 3–5 calls (by hand or drawn from recent reviews) with
inspectors and an expert, or in consensus mode. Each participant scores each call blind on the
review form. Until the reveal (the last submission, the manager, or the deadline) a participant
sees only their own answers: another's, the gold and the results answer 404, as for any object
one may not see; after it they see them all, the disagreements marked and each total's deviation
from the gold. Agents and team leads see nothing of calibration.
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.calibration.api import CALLS, SHANGHAI, Desk, answer, hits, submit

BASE = "/api/v1/calibration/sessions"


@pytest.fixture(scope="module")
def desk(floor):
    """Three inspectors and an expert."""
    return Desk(floor, inspectors=3)


def test_a_deadline_given_with_an_offset_round_trips_and_the_form_hides_the_agent(desk):
    deadline = datetime(2031, 3, 9, 18, 30, 15, 250000, tzinfo=SHANGHAI)
    made = desk.session(deadline=deadline.isoformat())
    assert datetime.fromisoformat(made["deadline"]) == deadline
    assert made["deadline"].endswith("Z") or made["deadline"].endswith("+00:00")
    assert (made["mode"], made["expert"], made["calls"]) == ("expert", desk.expert, 4)
    shown = desk.floor.manager.get(f"{BASE}/{made['id']}").json()
    assert datetime.fromisoformat(shown["deadline"]) == deadline
    form = desk.clients[desk.inspectors[0]].get(f"{BASE}/{made['id']}/calls/1")
    assert form.status_code == 200
    text = form.text
    assert form.json()["call_id"] is None and form.json()["turns"]
    assert desk.floor.agent_id not in text and desk.floor.team not in text
    assert (
        desk.floor.manager.get(f"{BASE}/{made['id']}/calls/1").json()["call_id"]
        == (desk.floor.calls[CALLS[0]])
    )


def test_before_the_reveal_a_participant_sees_only_their_own_answers(desk):
    made = desk.session()
    me, other = (desk.clients[n] for n in desk.inspectors[:2])
    expert = desk.clients[desk.expert]
    answer(me, made["id"], 1, solution=10, attitude=6)
    answer(other, made["id"], 1, solution=12, attitude=8)
    answer(expert, made["id"], 1, solution=11, attitude=7)
    call = f"{BASE}/{made['id']}/calls/1"
    assert me.get(f"{call}/answers/me").json()["total"] > 0
    assert me.get(f"{call}/answers/{desk.inspectors[0]}").status_code == 200
    for path in (
        f"{call}/answers/{desk.inspectors[1]}",
        f"{call}/answers/{desk.expert}",
        f"{call}/gold",
        f"{BASE}/{made['id']}/results",
    ):
        assert me.get(path).status_code == 404, path
    assert expert.get(f"{call}/answers/{desk.inspectors[0]}").status_code == 404
    manager = desk.floor.manager
    assert manager.get(f"{call}/answers/{desk.inspectors[1]}").status_code == 200
    assert manager.get(f"{call}/gold").json()["source"] == "expert"


def test_agents_team_leads_and_other_inspectors_see_nothing_of_calibration(desk, client_as):
    made = desk.session()
    outsider = client_as("inspector", team="qa-desk")
    place = desk.floor
    for who in (place.agent, place.lead, place.trainer, outsider):
        assert who.get(f"{BASE}/{made['id']}").status_code == 404
        assert who.get(f"{BASE}/{made['id']}/calls/1").status_code == 404
        assert who.get(f"{BASE}/{made['id']}/results").status_code == 404
        put = who.put(f"{BASE}/{made['id']}/calls/1/answers/me", json={"items": []})
        assert put.status_code == 404
    for who in (place.agent, place.lead, place.trainer):
        assert who.get(BASE).status_code == 403
        assert who.get("/api/v1/calibration/report").status_code == 403
    assert [s["id"] for s in outsider.get(BASE).json()] == []
    mine = desk.clients[desk.inspectors[0]].get(BASE).json()
    assert made["id"] in [s["id"] for s in mine]
    assert desk.clients[desk.inspectors[0]].post(BASE, json={}).status_code in (403, 422)
    assert desk.clients[desk.inspectors[0]].post(f"{BASE}/{made['id']}/reveal").status_code == 403


def test_an_incomplete_submission_is_refused_and_keeps_what_was_saved(desk):
    made = desk.session()
    me = desk.clients[desk.inspectors[0]]
    answer(me, made["id"], 1, solution=10, attitude=6)
    refused = me.post(f"{BASE}/{made['id']}/submit")
    assert refused.status_code == 422
    assert "call 2 has no answer" in refused.json()["detail"]
    partial = me.put(
        f"{BASE}/{made['id']}/calls/2/answers/me",
        json={"items": [{"item_id": "solution", "earned": 9}]},
    ).json()
    assert any("attitude" in m for m in partial["missing"])
    bad = me.put(
        f"{BASE}/{made['id']}/calls/2/answers/me",
        json={"items": [{"item_id": "attitude", "earned": 99}]},
    )
    assert bad.status_code == 422 and "attitude" in bad.json()["detail"]
    unknown = me.put(
        f"{BASE}/{made['id']}/calls/2/answers/me",
        json={"hits": [{"hit_id": 2**40, "confirmed": True}]},
    )
    assert unknown.status_code == 422
    kept = me.get(f"{BASE}/{made['id']}/calls/2/answers/me").json()
    solution = next(i for i in kept["items"] if i["id"] == "solution")
    assert solution["earned"] == 9 and kept["missing"] == partial["missing"]


def test_the_last_submission_reveals_every_answer_next_to_the_gold(desk):
    made = desk.session()
    sid = made["id"]
    scores = {desk.expert: (10, 7), desk.inspectors[0]: (10, 7), desk.inspectors[1]: (14, 7)}
    scores[desk.inspectors[2]] = (0, 0)  # 17 points below the expert: outside ±10 %
    for name, (solution, attitude) in scores.items():
        for position in range(1, 5):
            answer(desk.clients[name], sid, position, solution=solution, attitude=attitude)
        assert desk.floor.manager.get(f"{BASE}/{sid}").json()["revealed"] is False
        submit(desk.clients[name], sid)
    assert desk.floor.manager.get(f"{BASE}/{sid}").json()["revealed"] is True
    me = desk.clients[desk.inspectors[0]]
    call = f"{BASE}/{sid}/calls/1"
    assert me.get(f"{call}/answers/{desk.inspectors[1]}").status_code == 200
    assert me.get(f"{call}/gold").json()["source"] == "expert"
    found = me.get(f"{BASE}/{sid}/results").json()
    first = found["calls"][0]
    solution = next(i for i in first["items"] if i["id"] == "solution")
    assert solution["gold"]["earned"] == 10
    assert solution["disagree"] == sorted([desk.inspectors[1], desk.inspectors[2]])
    attitude = next(i for i in first["items"] if i["id"] == "attitude")
    assert attitude["disagree"] == [desk.inspectors[2]]
    totals = first["totals"]
    maximum = totals[desk.inspectors[1]]["maximum"]
    assert totals[desk.inspectors[1]]["deviation"] == 4
    assert totals[desk.inspectors[1]]["percent"] == round(400 / maximum, 1)
    assert totals[desk.inspectors[0]]["within"] and not totals[desk.inspectors[2]]["within"]
    standing = {p["username"]: p for p in found["participants"]}
    assert standing[desk.inspectors[2]]["outside_tolerance"] is True
    assert standing[desk.inspectors[2]]["bias"]["value"] == -17
    assert standing[desk.inspectors[0]]["outside_tolerance"] is False
    late = answer_status(me, sid)
    assert late == 409


def answer_status(client, session_id: int) -> int:
    """The status a change to an answer gets."""
    body = {"items": [{"item_id": "attitude", "earned": 1}]}
    return client.put(f"{BASE}/{session_id}/calls/1/answers/me", json=body).status_code


def _agreed_body(desk, session_id: int) -> dict:
    hit_ids = hits(desk.floor.manager, session_id, 1)
    return {
        "hits": [{"hit_id": h, "confirmed": True} for h in hit_ids],
        "items": [{"item_id": "solution", "earned": 12}, {"item_id": "attitude", "earned": 8}],
        "notes": "0:12 是服务忌语；解决方案给 12 分",
    }


def test_the_facilitator_records_the_agreed_answer_after_the_reveal(desk):
    sid = desk.session()["id"]
    manager, me = desk.floor.manager, desk.clients[desk.inspectors[0]]
    answer(desk.clients[desk.expert], sid, 1, solution=10, attitude=7)
    body = _agreed_body(desk, sid)
    assert manager.put(f"{BASE}/{sid}/calls/1/agreed", json=body).status_code == 409
    assert manager.post(f"{BASE}/{sid}/reveal").status_code == 200
    assert manager.post(f"{BASE}/{sid}/reveal").status_code == 409
    assert me.put(f"{BASE}/{sid}/calls/1/agreed", json=body).status_code == 403
    incomplete = {**body, "items": body["items"][:1]}
    assert manager.put(f"{BASE}/{sid}/calls/1/agreed", json=incomplete).status_code == 422
    agreed = manager.put(f"{BASE}/{sid}/calls/1/agreed", json=body)
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["notes"] == body["notes"]
    first = me.get(f"{BASE}/{sid}/results").json()["calls"][0]
    assert first["agreed"]["notes"] == body["notes"]
    assert first["agreed"]["total"] == first["gold"]["total"] + 3  # the expert's stays the gold
    assert me.get(f"{BASE}/{sid}/calls/1/gold").json()["source"] == "expert"


def test_in_consensus_mode_the_gold_is_the_median_until_the_agreed_answer(desk):
    made = desk.session(expert=None)
    sid = made["id"]
    assert (made["mode"], made["expert"]) == ("consensus", None)
    for name, solution in zip(desk.inspectors, (8, 10, 15), strict=True):
        answer(desk.clients[name], sid, 1, solution=solution, attitude=7)
    gold = desk.floor.manager.get(f"{BASE}/{sid}/calls/1/gold").json()
    mine = desk.floor.manager.get(f"{BASE}/{sid}/calls/1/answers/{desk.inspectors[1]}").json()
    assert gold["source"] == "median" and gold["total"] == mine["total"]
    assert gold["items"]["attitude"]["earned"] == 7
    desk.floor.manager.post(f"{BASE}/{sid}/reveal")
    body = _agreed_body(desk, sid)
    assert desk.floor.manager.put(f"{BASE}/{sid}/calls/1/agreed", json=body).status_code == 200
    agreed = desk.clients[desk.inspectors[0]].get(f"{BASE}/{sid}/calls/1/gold").json()
    assert agreed["source"] == "agreed" and agreed["items"]["solution"]["earned"] == 12


def test_the_deadline_reveals_the_session_and_ends_answering(desk):
    from time import sleep

    deadline = datetime.now(UTC) + timedelta(seconds=4)
    sid = desk.session(deadline=deadline.isoformat())["id"]
    me = desk.clients[desk.inspectors[0]]
    answer(desk.clients[desk.inspectors[1]], sid, 1, solution=10, attitude=7)
    assert me.get(f"{BASE}/{sid}/results").status_code == 404
    sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5)
    assert desk.floor.manager.get(f"{BASE}/{sid}").json()["revealed"] is True
    assert me.get(f"{BASE}/{sid}/calls/1/answers/{desk.inspectors[1]}").status_code == 200
    assert answer_status(me, sid) == 409
    assert me.post(f"{BASE}/{sid}/submit").status_code == 409


def test_calls_are_drawn_from_recent_reviews_the_same_for_the_same_seed(desk):
    manager = desk.floor.manager
    for name in ("first", "second", "third"):
        desk.floor.review(name)
    evaluated = {e["call_id"] for e in manager.get("/api/v1/evaluations?limit=500").json()}
    assert {desk.floor.calls[name] for name in ("first", "second", "third")} <= evaluated

    def drawn(seed: int) -> list[int]:
        made = desk.session(calls=None, draw={"days": 7, "count": 3, "seed": seed})
        return [manager.get(f"{BASE}/{made['id']}/calls/{p}").json()["call_id"] for p in (1, 2, 3)]

    first = drawn(4)
    assert len(set(first)) == 3 and set(first) <= evaluated
    assert drawn(4) == first
    assert desk.floor.calls["red"] not in first  # never reviewed


def test_a_packs_tolerance_is_what_its_new_sessions_start_with(desk):
    pack = desk.session()["pack"]
    assert (
        desk.clients[desk.inspectors[0]]
        .put(f"/api/v1/calibration/tolerances/{pack}", json={"tolerance": 0.05})
        .status_code
        == 403
    )
    done = desk.floor.manager.put(
        f"/api/v1/calibration/tolerances/{pack}", json={"tolerance": 0.05}
    )
    assert done.status_code == 200
    assert desk.session()["tolerance"] == 0.05
    assert desk.session(tolerance=0.2)["tolerance"] == 0.2
    desk.floor.manager.put(f"/api/v1/calibration/tolerances/{pack}", json={"tolerance": 0.1})


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"calls": "two"}, "calls"),
        ({"deadline": "2031-03-09T18:30:00"}, "timezone"),
        ({"deadline": "2001-03-09T18:30:00+08:00"}, "future"),
        ({"expert": "self"}, "cannot also be a participant"),
        ({"inspectors": ["nobody-here", "nor-here"]}, "not an active inspector"),
        ({"calls": "unknown"}, "no machine score"),
        ({"calls": "repeated"}, "different calls"),
        ({"tolerance": 0}, "tolerance"),
    ],
)
def test_a_bad_session_is_refused_with_a_clear_error(desk, change, says):
    calls = [desk.floor.calls[name] for name in CALLS]
    replace = {
        "two": calls[:2],
        "unknown": [*calls[:3], 2**62],
        "repeated": [calls[0], calls[0], calls[1]],
        "self": desk.inspectors[0],
    }
    body = {
        "title": "bad",
        "calls": calls,
        "inspectors": desk.inspectors,
        "expert": desk.expert,
        "deadline": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    } | {k: replace.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    before = desk.floor.manager.get(BASE).json()
    refused = desk.floor.manager.post(BASE, json=body)
    assert refused.status_code == 422
    assert says in str(refused.json()["detail"])
    assert desk.floor.manager.get(BASE).json() == before
