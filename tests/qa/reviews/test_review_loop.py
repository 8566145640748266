"""The QA loop through the API: sampled → assigned → reviewed → released → disputed →
overturned → re-scored, with the discipline ladder following and the audit trail kept."""

import json

from services.db import session_scope
from services.qa.discipline import service as discipline


def _ladder(client, agent: str) -> list[tuple[str, str]]:
    answer = client.get(f"/api/v1/agents/{agent}/discipline")
    assert answer.status_code == 200, answer.text
    return [(r["counted_as"], r["tier"]) for r in answer.json()["records"]]


def _forbidden_tiers(client, agent: str) -> list[str]:
    return [tier for counted, tier in _ladder(client, agent) if counted == "forbidden_phrase"]


def test_the_whole_loop_through_the_api(floor):
    queue = {r["call_id"] for r in floor.inspector.get("/api/v1/reviews").json()}
    # Other tests of this floor may have submitted their reviews already: this one's are open.
    assert {floor.calls[n] for n in ("first", "second", "third")} <= queue
    assert queue <= set(floor.calls.values())
    note_kinds = {n["kind"] for n in floor.inspector.get("/api/v1/notifications").json()}
    assert "review_assigned" in note_kinds

    first_review = floor.reviews[floor.calls["first"]]
    detail = floor.inspector.get(f"/api/v1/reviews/{first_review}").json()
    forbidden = next(i for i in detail["items"] if i["id"] == "forbidden")
    assert forbidden["status"] == "hit" and forbidden["hits"][0]["text"] == "不归我管"
    assert detail["turns"] and detail["machine"]["pack"] == "zh-service"
    assert any("'solution'" in m for m in detail["missing"])
    early = floor.inspector.post(f"/api/v1/reviews/{first_review}/submit", json={})
    assert early.status_code == 422 and "not complete" in early.json()["detail"]

    evaluations = {name: floor.review(name) for name in ("first", "second", "third")}
    first = evaluations["first"]
    assert first["version"] == 1 and first["released_at"] and first["dispute_deadline"]
    assert first["total"] == detail["machine"]["total"] + 15 + 8  # manual items now count
    assert first["maximum"] == detail["machine"]["maximum"] + 15 + 10
    assert _forbidden_tiers(floor.agent, floor.agent_id) == ["reminder", "warning", "deduction"]
    tiers_told = [
        n for n in floor.agent.get("/api/v1/notifications").json() if n["kind"] == "tier_reached"
    ]
    assert [n["subject"]["tier"] for n in tiers_told] == ["deduction"]
    assert any(n["kind"] == "tier_reached" for n in floor.lead.get("/api/v1/notifications").json())

    # The agent sees and hears their evaluation, then disputes the second one.
    mine = floor.agent.get("/api/v1/evaluations").json()
    assert {e["call_id"] for e in mine} == {floor.calls[n] for n in ("first", "second", "third")}
    playback = floor.agent.get(f"/api/v1/calls/{floor.calls['second']}/audio").json()
    assert playback["url"].startswith("http") and playback["expires_in_s"] > 0
    second = evaluations["second"]
    dispute = floor.agent.post(
        f"/api/v1/evaluations/{second['id']}/disputes",
        json={"item_id": "forbidden", "reason": "我说的是“这个不归我管辖的部门会联系您”"},
    )
    assert dispute.status_code == 201, dispute.text
    dispute = dispute.json()
    # Under dispute the second no longer counts: the third is the second in the window.
    assert _forbidden_tiers(floor.manager, floor.agent_id) == ["reminder", "warning"]
    assert [d["id"] for d in floor.lead.get("/api/v1/disputes?status=open").json()] == [
        dispute["id"]
    ]
    assert any(
        n["kind"] == "dispute_opened" for n in floor.lead.get("/api/v1/notifications").json()
    )

    decided = floor.lead.post(
        f"/api/v1/disputes/{dispute['id']}/decision",
        json={"decision": "overturned", "comment": "Listened: the phrase was cut by ASR."},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "overturned"
    rescored_id = decided.json()["result_evaluation_id"]
    rescored = floor.agent.get(f"/api/v1/evaluations/{rescored_id}").json()
    assert rescored["version"] == 2 and rescored["total"] == second["total"] + 10
    assert next(i for i in rescored["items"] if i["id"] == "forbidden")["status"] == "pass"
    assert [v["version"] for v in rescored["versions"]] == [1, 2]
    assert rescored["why"] == f"dispute {dispute['id']} overturned"
    in_chinese = floor.agent.get(
        f"/api/v1/evaluations/{rescored_id}", headers={"Accept-Language": "zh-CN"}
    ).json()
    assert [v["why"] for v in in_chinese["versions"]] == [
        "质检评分",
        f"申诉 {dispute['id']} 已改判",
    ]
    assert rescored["disputes"][0]["status"] == "overturned"
    old = floor.agent.get(f"/api/v1/evaluations/{second['id']}").json()
    assert old["superseded_by"] == rescored_id and old["total"] == second["total"]
    assert _forbidden_tiers(floor.agent, floor.agent_id) == ["reminder", "warning"]
    told = {n["kind"] for n in floor.agent.get("/api/v1/notifications").json()}
    assert {"evaluation_released", "dispute_decided"} <= told
    # The agent hears why in their language.
    notices = floor.agent.get("/api/v1/notifications", headers={"Accept-Language": "zh-CN"})
    assert any(f"申诉 {dispute['id']} 已改判" in n["message"] for n in notices.json())

    # The ladder is derived data: rebuilding it from the evaluations gives the same answer.
    before = _ladder(floor.manager, floor.agent_id)
    with session_scope() as db_session:
        rebuilt = discipline.recompute(db_session=db_session, agent_id=floor.agent_id)
    assert sorted((r.counted_as, r.tier) for r in rebuilt) == sorted(before)

    trail = floor.manager.get(f"/api/v1/audit?call_id={floor.calls['second']}").json()
    actions = [e["action"] for e in reversed(trail)]
    assert actions == ["evaluation.created", "evaluation.released", "call.listen", "dispute.opened",
                       "evaluation.created", "dispute.decided"]  # fmt: skip

    acknowledged = floor.agent.post(f"/api/v1/evaluations/{rescored_id}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    late = floor.agent.post(
        f"/api/v1/evaluations/{rescored_id}/disputes", json={"item_id": "attitude", "reason": "x"}
    )
    assert late.status_code == 409


def test_a_red_line_violation_starts_at_deduction(floor):
    evaluation = floor.review("red")
    assert evaluation["auto_failed"] and evaluation["total"] == 0
    ladder = floor.other_agent.get(f"/api/v1/agents/{floor.other_agent_id}/discipline").json()
    abuse = [r for r in ladder["records"] if r["item_id"] == "abuse"]
    assert [(r["tier"], r["critical"], r["amount"]) for r in abuse] == [("deduction", True, 100)]
    assert abuse[0]["evidence"]["hits"][0]["text"] == "你有病吧"


def test_rejected_hits_score_nothing_and_lower_the_rules_precision(floor):
    before = floor.manager.get("/api/v1/rules/forbidden_phrase/precision").json()
    evaluation = floor.review("misheard", confirm=False, release=False)
    assert next(i for i in evaluation["items"] if i["id"] == "forbidden")["status"] == "pass"
    after = floor.inspector.get("/api/v1/rules/forbidden_phrase/precision").json()
    assert after["rejected"] == before["rejected"] + 1
    assert after["precision"] == round(after["confirmed"] / after["reviewed"], 4) < 1
    assert after["versions"][0]["pack"] == "zh-service"
    # Not released: the agent cannot see it yet, and it is on no ladder.
    assert floor.other_agent.get(f"/api/v1/evaluations/{evaluation['id']}").status_code == 404
    released = floor.inspector.post(f"/api/v1/evaluations/{evaluation['id']}/release")
    assert released.json()["released_at"]
    seen = floor.other_agent.get(f"/api/v1/evaluations/{evaluation['id']}").json()
    assert seen["id"] == evaluation["id"] and seen["released_at"]
    assert floor.manager.get("/api/v1/rules/no_such_rule/precision").status_code == 404


def test_the_recompute_command_rebuilds_the_ladder_the_api_shows(floor):
    from typer.testing import CliRunner

    from services.cli import app

    floor.review("red")  # puts a red line on the agent's ladder
    shown = _ladder(floor.manager, floor.other_agent_id)
    assert shown
    result = CliRunner().invoke(app, ["discipline", "recompute", "--agent", floor.other_agent_id])
    assert result.exit_code == 0, result.output
    rebuilt = json.loads(result.output)[floor.other_agent_id]
    assert sorted(rebuilt) == sorted(f"{counted}:{tier}" for counted, tier in shown)
