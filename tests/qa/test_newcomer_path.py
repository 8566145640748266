"""Acceptance: a QA manager's week, end to end through the API, as a newcomer runs it.

Two sampling plans over the same (Beijing) week; plan A's calls are assigned, reviewed,
released, one disputed and overturned; plan B never picks a call QA already has, so no call is
evaluated twice. The ladder counts one violation per rule per call, from the version in force,
respects the overturned dispute, and ignores a manual 9/10 the pack does not call a failure.
An explicit re-evaluation makes version 2 of the same evaluation, and the ladder follows it.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests import factories

WEEK = datetime(2031, 6, 2, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday, 00:00 in Beijing
AGENT = "NEWCOMER-A"


def _people(db_session) -> dict[str, TestClient]:
    from services.api.app import create_app

    app = create_app()
    people = {}
    for name, role, fields in (
        ("manager", "qa_manager", {}),
        ("inspector", "inspector", {"team": "qa-desk"}),
        ("lead", "team_lead", {"team": "newcomers"}),
        ("agent", "agent", {"agent_id": AGENT, "team": "newcomers"}),
    ):
        _user, token = factories.user(db_session, role, **fields)
        people[name] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return people


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _review(inspector: TestClient, review_id: int, *, confirm: set[str], attitude: float) -> dict:
    """Confirms the hits of the rules in ``confirm``, rejects the others, scores the manual
    items (attitude as given) and submits, released."""
    detail = _ok(inspector.get(f"/api/v1/reviews/{review_id}"))
    hits = [h for i in detail["items"] for h in i["hits"]]
    body = {
        "hits": [{"hit_id": h["hit_id"], "confirmed": h["rule_id"] in confirm} for h in hits],
        "items": [
            {"item_id": "solution", "earned": 15},
            {"item_id": "attitude", "earned": attitude},
        ],
    }
    _ok(inspector.put(f"/api/v1/reviews/{review_id}", json=body))
    submitted = inspector.post(f"/api/v1/reviews/{review_id}/submit", json={"release": True})
    return dict(_ok(submitted, 201))


def _ladder(client: TestClient) -> list[tuple[int, str, str]]:
    records = _ok(client.get(f"/api/v1/agents/{AGENT}/discipline"))["records"]
    return sorted((r["call_id"], r["item_id"], r["tier"]) for r in records)


def _plan(manager: TestClient, name: str, per_agent: int) -> int:
    body = {"name": name, "period": "week", "per_agent": per_agent, "per_agent_cap": 10,
            "filters": {"teams": ["newcomers"]}, "always": {"cap": 0}, "seed": 3}  # fmt: skip
    return int(_ok(manager.post("/api/v1/sampling/plans", json=body), 201)["id"])


def test_a_week_of_qa_evaluates_each_call_once_and_the_ladder_counts_violations(db_session):
    people = _people(db_session)
    manager, inspector, lead, agent = (people[n] for n in ("manager", "inspector", "lead", "agent"))
    calls = [
        factories.scored_call(
            db_session, agent_id=AGENT, team="newcomers", queue="q", lines=factories.FORBIDDEN,
            started_at=WEEK + timedelta(days=day, hours=2),  # 02:00 Beijing: the day before in UTC
        ).id
        for day in (0, 2, 4)
    ]  # fmt: skip

    # Plan A samples two of the week's three calls; they are assigned, reviewed and released.
    plan_a, plan_b = _plan(manager, "week A", 2), _plan(manager, "week B", 10)
    week = {"at": WEEK.isoformat()}  # "2031-06-02T00:00:00+08:00"
    run_a = _ok(manager.post(f"/api/v1/sampling/plans/{plan_a}/runs", json=week))
    picked_a = [p["call_id"] for p in run_a["picks"]]
    assert len(picked_a) == 2 and set(picked_a) <= set(calls)
    assigned_a = _ok(manager.post(f"/api/v1/sampling/runs/{run_a['id']}/assign"))
    reviews = {r["call_id"]: r["id"] for r in assigned_a}
    assert sorted(reviews) == sorted(picked_a)
    assert _ok(manager.post(f"/api/v1/sampling/runs/{run_a['id']}/assign")) == []  # once
    evaluations = {
        call: _review(inspector, review, confirm={"forbidden_phrase"}, attitude=9)
        for call, review in reviews.items()
    }
    first, second = sorted(evaluations)
    # One violation per call: the forbidden phrase; attitude 9/10 is no failure (the pack
    # counts only a failed attitude), whatever points it lost.
    assert _ladder(manager) == [(first, "forbidden", "reminder"), (second, "forbidden", "warning")]

    # The agent disputes the first call's item; the team lead overturns it.
    disputed = {"item_id": "forbidden", "reason": "是转接话术"}
    url = f"/api/v1/evaluations/{evaluations[first]['id']}/disputes"
    dispute = _ok(agent.post(url, json=disputed), 201)
    _ok(lead.post(f"/api/v1/disputes/{dispute['id']}/decision",
                  json={"decision": "overturned", "comment": "听过录音，是转接"}))  # fmt: skip
    assert _ladder(manager) == [(second, "forbidden", "reminder")]

    # Plan B over the same week picks only the call QA does not have yet.
    run_b = _ok(manager.post(f"/api/v1/sampling/plans/{plan_b}/runs", json=week))
    (third,) = set(calls) - set(picked_a)
    assert [p["call_id"] for p in run_b["picks"]] == [third]
    assigned_b = _ok(manager.post(f"/api/v1/sampling/runs/{run_b['id']}/assign"))
    assert [r["call_id"] for r in assigned_b] == [third]
    queue = [r["call_id"] for r in _ok(inspector.get("/api/v1/reviews?status=submitted"))]
    queue += [r["call_id"] for r in _ok(inspector.get("/api/v1/reviews"))]
    assert sorted(queue) == sorted(calls)  # each call once in all the queues
    evaluations[third] = _review(
        inspector, assigned_b[0]["id"], confirm={"forbidden_phrase"}, attitude=9
    )

    in_force = _ok(manager.get(f"/api/v1/evaluations?agent_id={AGENT}"))
    assert sorted(e["call_id"] for e in in_force) == sorted(calls)  # one per call
    earlier, later = sorted((second, third))  # ids follow the calls' times; so do the tiers
    assert _ladder(manager) == [(earlier, "forbidden", "reminder"), (later, "forbidden", "warning")]

    # A re-evaluation of the second call: version 2 of the same evaluation. It clears the
    # phrase but fails attitude; the ladder follows version 2 only.
    before = evaluations[second]
    reopened = _ok(manager.post(f"/api/v1/evaluations/{before['id']}/re-evaluate",
                                json={"reason": "复听：忌语为误识别，态度问题严重"}))  # fmt: skip
    assert reopened["id"] == before["review_id"] and reopened["status"] == "open"
    after = _review(inspector, reopened["id"], confirm=set(), attitude=0)
    assert (after["review_id"], after["version"]) == (before["review_id"], 2)
    history = _ok(manager.get(f"/api/v1/evaluations/{after['id']}"))
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][0]["id"] == before["id"]
    in_force = _ok(manager.get(f"/api/v1/evaluations?agent_id={AGENT}"))
    assert sorted(e["id"] for e in in_force if e["call_id"] == second) == [after["id"]]
    assert _ladder(manager) == sorted(
        [(second, "attitude", "reminder"), (third, "forbidden", "reminder")]
    )
    categories = {
        r["item_id"]: r["category"]
        for r in _ok(manager.get(f"/api/v1/agents/{AGENT}/discipline"))["records"]
    }
    assert categories == {"attitude": "courtesy", "forbidden": "forbidden_phrase"}
