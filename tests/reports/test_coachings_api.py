"""Coachings recorded through the API and their effect, over PostgreSQL: the planted effect is
found exactly, a coaching without one shows an interval around 0, roles are respected."""

import io

import openpyxl
import pytest
from sqlalchemy import select

from services.audit.tables import AuditEntry
from tests.reports.seed import folded
from tests.reports.seed_coaching import RULE, CoachedCenter, seed_coached_center


@pytest.fixture(scope="module")
def center() -> CoachedCenter:
    """Two teams around one coaching week, stored and folded into the rollups once."""
    return folded(seed_coached_center)


def _record(client, center: CoachedCenter, agents: list[str], rules: list[str]) -> int:
    body = {"coached_on": center.coached_on.isoformat(), "agent_ids": agents, "rule_ids": rules}
    answer = client.post("/api/v1/reports/coachings", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["agent_ids"] == sorted(agents)
    return int(answer.json()["id"])


def _effects(client, center: CoachedCenter, **extra: str) -> dict[int, dict]:
    params = {"first": center.coached_on.isoformat(), "last": center.coached_on.isoformat()}
    answer = client.get("/api/v1/reports/coaching-effect", params={**params, **extra})
    assert answer.status_code == 200, answer.text
    return {row["coaching"]["id"]: row for row in answer.json()["rows"]}


def test_the_planted_effect_is_found_and_the_null_one_is_not(client_as, center) -> None:
    lead = client_as("training_lead")
    a = _record(lead, center, [f"{center.team_a}0", f"{center.team_a}1"], [RULE])
    b = _record(lead, center, [f"{center.team_b}0", f"{center.team_b}1"], [])
    rows = _effects(lead, center)
    found = rows[a]["effect"]
    assert found["effect"] == pytest.approx(0.6 / 0.9 - 1)
    assert found["low"] <= found["effect"] <= found["high"] < 0
    assert found["coached_before"] == pytest.approx(30 / 70)
    assert found["coached_after"] == pytest.approx(18 / 70)
    assert found["control_before"] == pytest.approx(60 / 140)
    assert found["control_after"] == pytest.approx(54 / 140)
    assert (found["coached_agents"], found["control_agents"]) == (2, 4)
    assert found["calls"] == 6 * 8 * 35  # the coaching week is left out
    null = rows[b]["effect"]  # every rule: the share of calls with a violation
    assert null["effect"] == pytest.approx(0.0, abs=1e-12)
    assert null["low"] < 0 < null["high"]


def test_the_export_holds_the_json_numbers(client_as, center) -> None:
    lead = client_as("qa_manager")
    a = _record(lead, center, [f"{center.team_a}0", f"{center.team_a}1"], [RULE])
    row = _effects(lead, center)[a]["effect"]
    answer = _xlsx(lead, center)
    line = next(r for r in answer if r[0] == a)
    assert line[1:4] == (center.coached_on.isoformat(), f"{center.team_a}0 {center.team_a}1", RULE)
    assert line[4:7] == pytest.approx((row["effect"], row["low"], row["high"]))
    assert line[13] == row["calls"]


def _xlsx(client, center: CoachedCenter) -> list[tuple]:
    params = {"first": center.first.isoformat(), "last": center.last.isoformat()}
    answer = client.get("/api/v1/reports/coaching-effect", params={**params, "format": "xlsx"})
    assert answer.status_code == 200, answer.text
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_a_coaching_without_controls_says_why(client_as, center) -> None:
    lead = client_as("training_lead")
    everyone = [f"{center.team_a}{a}" for a in range(6)]
    whole_team = _record(lead, center, everyone, [RULE])
    row = _effects(lead, center)[whole_team]
    assert row["effect"] is None and "no uncoached agents" in row["reason"]


def test_other_coachings_agents_are_no_controls(client_as, center) -> None:
    lead = client_as("training_lead")
    a = _record(lead, center, [f"{center.team_a}0", f"{center.team_a}1"], [RULE])
    # Coaching A4 and A5 (10 → 8, 20 → 19) too leaves A2, A3 (× 0.9 each) as the controls.
    _record(lead, center, [f"{center.team_a}4", f"{center.team_a}5"], [RULE])
    found = _effects(lead, center)[a]["effect"]
    assert found["control_agents"] == 2
    assert found["control_after"] / found["control_before"] == pytest.approx(27 / 30)


def test_list_and_delete(client_as, db_session, center) -> None:
    manager = client_as("qa_manager")
    made = _record(manager, center, [f"{center.team_b}3"], [RULE, " ", RULE])
    params = {"first": center.first.isoformat(), "last": center.last.isoformat()}
    listed = manager.get("/api/v1/reports/coachings", params=params).json()
    mine = next(c for c in listed if c["id"] == made)
    assert mine["rule_ids"] == [RULE] and mine["created_by"].startswith("qa_manager")
    assert manager.delete(f"/api/v1/reports/coachings/{made}").status_code == 204
    logged = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.detail["coaching_id"].as_integer() == made)
    ).all()
    assert sorted(logged) == ["coaching.delete", "coaching.record"]
    listed = manager.get("/api/v1/reports/coachings", params=params).json()
    assert made not in {c["id"] for c in listed}
    assert manager.delete(f"/api/v1/reports/coachings/{made}").status_code == 404


def test_only_training_leads_and_managers_record_or_read_coachings(client_as, center) -> None:
    body = {"coached_on": center.coached_on.isoformat(), "agent_ids": [f"{center.team_a}0"]}
    params = {"first": center.first.isoformat(), "last": center.last.isoformat()}
    made = client_as("admin").post("/api/v1/reports/coachings", json=body).json()["id"]
    for role, fields in (
        ("agent", {"agent_id": f"{center.team_a}0", "team": center.team_a}),
        ("team_lead", {"team": center.team_a}),
        ("inspector", {}),
    ):
        other = client_as(role, **fields)
        assert other.post("/api/v1/reports/coachings", json=body).status_code == 403, role
        assert other.get("/api/v1/reports/coachings", params=params).status_code == 403, role
        assert other.delete(f"/api/v1/reports/coachings/{made}").status_code == 403, role
        effect = other.get("/api/v1/reports/coaching-effect", params=params)
        assert effect.status_code == 403, role
    lead = client_as("training_lead")
    assert lead.post("/api/v1/reports/coachings", json={**body, "agent_ids": []}).status_code == 422
    blank = lead.post("/api/v1/reports/coachings", json={**body, "agent_ids": [" "]})
    assert blank.status_code == 422 and "at least one agent" in blank.text
    for hostile in (
        {"agent_ids": ["\x00"]},
        {"rule_ids": ["R1\x00"]},
        {"note": "\x00"},
        {"coached_on": "0001-01-01"},
        {"surprise": 1},
    ):
        refused = lead.post("/api/v1/reports/coachings", json={**body, **hostile})
        assert refused.status_code == 422, (hostile, refused.text)
    bad_window = {**params, "window_weeks": "0"}
    assert lead.get("/api/v1/reports/coaching-effect", params=bad_window).status_code == 422
