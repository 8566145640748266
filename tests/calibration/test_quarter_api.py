"""A simulated quarter of calibration, through the API: six inspectors score 12 sessions of the
same four calls against an expert. One is lenient (about +8 points on the two manual items), one
severe (about −10), four are unbiased with noise (1.5 points). The calls' form is the shipped
Chinese scorecard: a confirmed forbidden phrase and the manual items "solution" (15 points) and
"attitude" (10 points); everyone judges the machine hit as the expert does.

The tolerance of the pack is set to ±5 % of the maximum: on this scorecard ±10 % is more than
+8 points, so the default could not flag the lenient inspector at all. The reveal of every
session and the pooled report name the lenient and the severe inspector (bias interval excludes
0), flag them for recalibration, and flag no one else; the manager's second-reviewer choice
applies to a flagged inspector only. Agents' evaluations, ladders, the review queue and the
rule's precision are the same after the quarter as before it.

The seed is fixed, and with it every assertion holds; with noise of 1.5 points an unbiased
inspector's pooled interval still excludes 0 in about 5 % of quarters (by chance, as a 95 %
interval should).
"""

from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from tests import factories
from tests.calibration.api import Desk, answer, hits, submit

SEED = 3
SESSIONS, CALLS = 12, 4
NOISE = 1.5
BASE = "/api/v1/calibration"


@pytest.fixture(scope="module")
def quarter(floor):
    """The floor's agents evaluated first, then the quarter's sessions through the API."""
    desk = Desk(floor, inspectors=6)
    lenient, severe, *_ = desk.inspectors
    bias = {name: 0.0 for name in desk.inspectors} | {lenient: 8.0, severe: -10.0}
    floor.review("first")
    floor.review("misheard", confirm=False)
    before = _snapshot(floor)
    team = factories.unique("quarter")
    assert (
        floor.manager.put(f"{BASE}/tolerances/zh-service", json={"tolerance": 0.05}).status_code
        == 200
    )
    rng = np.random.default_rng(SEED)
    revealed = []
    for _ in range(SESSIONS):
        sid = desk.session(team=team)["id"]
        for position in range(1, CALLS + 1):
            hit_ids = hits(floor.manager, sid, position)
            gold = float(rng.uniform(11, 16))  # the expert's manual points, of 25
            for name in [desk.expert, *desk.inspectors]:
                shift = 0.0 if name == desk.expert else bias[name] + rng.normal(0, NOISE)
                solution, attitude = _split(gold + shift)
                answer(
                    desk.clients[name],
                    sid,
                    position,
                    solution=solution,
                    attitude=attitude,
                    hit_ids=hit_ids,
                )
        for name in [desk.expert, *desk.inspectors]:
            submit(desk.clients[name], sid)
        revealed.append(desk.clients[lenient].get(f"{BASE}/sessions/{sid}/results").json())
    floor.manager.put(f"{BASE}/tolerances/zh-service", json={"tolerance": 0.1})
    return SimpleNamespace(
        desk=desk, lenient=lenient, severe=severe, team=team, before=before, revealed=revealed
    )


def _split(manual: float) -> tuple[float, float]:
    """Manual points as solution (up to 15) and attitude (up to 10), in the same proportion."""
    manual = min(25.0, max(0.0, manual))
    solution = round(manual * 15 / 25, 1)
    return solution, round(manual - solution, 1)


def _snapshot(floor) -> dict:
    """What calibration must never change: agents' evaluations and ladders, the submitted
    reviews, and the rule's precision."""
    manager = floor.manager
    return {
        "evaluations": manager.get("/api/v1/evaluations", params={"limit": 500}).json(),
        "ladder": [
            manager.get(f"/api/v1/agents/{agent}/discipline").json()
            for agent in (floor.agent_id, floor.other_agent_id)
        ],
        "reviews": manager.get("/api/v1/reviews", params={"status": "submitted"}).json(),
        "open": manager.get("/api/v1/reviews", params={"status": "open"}).json(),
        "precision": manager.get("/api/v1/rules/forbidden_phrase/precision").json(),
    }


def test_every_reveal_shows_the_lenient_above_and_the_severe_below_the_expert(quarter):
    lenient, severe = quarter.lenient, quarter.severe
    assert len(quarter.revealed) == SESSIONS
    for found in quarter.revealed:
        standing = {p["username"]: p for p in found["participants"]}
        assert standing[lenient]["bias"]["value"] > 4 and standing[lenient]["outside_tolerance"]
        assert standing[severe]["bias"]["value"] < -6 and standing[severe]["outside_tolerance"]
        deviations = [c["totals"][lenient]["deviation"] for c in found["calls"]]
        assert len(deviations) == CALLS and np.mean(deviations) > 4


def test_the_pooled_report_names_and_flags_the_lenient_and_the_severe_and_no_one_else(quarter):
    lenient, severe, manager = quarter.lenient, quarter.severe, quarter.desk.floor.manager
    report = manager.get(f"{BASE}/report", params={"team": quarter.team, "days": 90})
    assert report.status_code == 200, report.text
    found = report.json()
    assert len(found["sessions"]) == SESSIONS and found["tolerance"] == 0.05
    inspectors = found["inspectors"]
    assert sorted(inspectors) == sorted(quarter.desk.inspectors)
    assert inspectors[lenient]["bias"]["low"] > 0 and inspectors[lenient]["leaning"] == "lenient"
    assert inspectors[severe]["bias"]["high"] < 0 and inspectors[severe]["leaning"] == "severe"
    named = {name for name, row in inspectors.items() if row["leaning"] != "none"}
    flagged = {name for name, row in inspectors.items() if row["flagged"]}
    assert named == flagged == {lenient, severe}
    assert len(inspectors[lenient]["series"]) == SESSIONS
    assert found["totals"]["icc_2_1"]["n"] == SESSIONS * CALLS


def test_each_inspectors_history_flags_and_names_as_the_report_does(quarter):
    desk, lenient, severe = quarter.desk, quarter.lenient, quarter.severe
    report = desk.floor.manager.get(f"{BASE}/report", params={"team": quarter.team}).json()
    for name in desk.inspectors:
        mine = desk.clients[name].get(f"{BASE}/inspectors/{name}/history")
        assert mine.status_code == 200, mine.text
        found, pooled = mine.json(), report["inspectors"][name]
        assert found["flagged"] == pooled["flagged"] and found["tolerance"] == 0.05
        assert found["pooled"]["leaning"] == pooled["leaning"]
        assert found["pooled"]["bias"]["value"] == pytest.approx(pooled["bias"]["value"])
        assert [s["session_id"] for s in found["series"]] == [
            int(s["session_id"]) for s in pooled["series"]
        ]
        assert (found["outside_recent"] >= 2) == found["flagged"]  # the reason the page gives
    assert desk.clients[severe].get(f"{BASE}/inspectors/{lenient}/history").status_code == 404


def test_agents_scores_ladders_reviews_and_precision_are_unchanged(quarter):
    before = quarter.before
    assert before["evaluations"] and before["reviews"]
    assert before["precision"]["reviewed"] > 0
    assert _snapshot(quarter.desk.floor) == before


def test_a_second_reviewer_applies_while_the_inspector_stays_flagged(quarter):
    desk, lenient = quarter.desk, quarter.lenient
    manager, unbiased = desk.floor.manager, desk.inspectors[2]
    chosen = manager.put(f"{BASE}/second-reviews/{lenient}", json={"share": 0.3})
    assert chosen.status_code == 200, chosen.text
    assert (chosen.json()["share"], chosen.json()["active"]) == (0.3, True)
    calm = manager.put(f"{BASE}/second-reviews/{unbiased}", json={"share": 0.3}).json()
    assert (calm["flagged"], calm["active"]) == (False, False)
    agent = manager.put(f"{BASE}/second-reviews/{desk.floor.agent_name}", json={"share": 0.3})
    assert agent.status_code == 404
    assert desk.clients[lenient].get(f"{BASE}/second-reviews").status_code == 403
    listed = {r["inspector"]: r for r in manager.get(f"{BASE}/second-reviews").json()}
    assert listed[lenient]["active"] and not listed[unbiased]["active"]


def test_the_cli_summary_names_the_flagged_inspectors(quarter):
    from services.cli import app

    desk, lenient, severe = quarter.desk, quarter.lenient, quarter.severe
    result = CliRunner().invoke(app, ["calibration", "report", "--team", quarter.team])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert sorted(lines) == sorted(desk.inspectors)
    assert "lenient" in lines[lenient] and "recalibrate" in lines[lenient]
    assert "severe" in lines[severe] and "recalibrate" in lines[severe]
    assert not any("recalibrate" in lines[n] for n in desk.inspectors[2:])
