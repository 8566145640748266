"""The reports through the API over PostgreSQL: planted effects found, roles respected, exports
equal to the JSON, rollups following re-scoring."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import insert, select

from services.calls.tables import Call
from services.reports.spc import Scores, xbar_s_charts
from services.scoring.tables import CallScore, RuleStatus
from tests.reports.seed import SHANGHAI, Center, folded, seed_center


@pytest.fixture(scope="module")
def center() -> Center:
    """One simulated center for the module (seeding takes a few seconds)."""
    return folded(seed_center)


def period(center: Center, **extra: str) -> dict[str, str]:
    """Query parameters of the whole simulated period."""
    return {"first": center.first.isoformat(), "last": center.last.isoformat(), **extra}


def test_the_weak_agent_is_the_training_need_and_nobody_else(client, center: Center) -> None:
    answer = client.get("/api/v1/reports/training-needs", params=period(center))
    assert answer.status_code == 200, answer.text
    rows = [r for r in answer.json()["rows"] if r["group"].startswith(center.run)]
    needs = [(r["rule"], r["group"]) for r in rows if r["is_need"]]
    # New hires' R2 is a need by agent too; the weak agent's R1 is the only R1 need.
    assert ("R1-greeting", center.weak_agent) in needs
    assert [g for rule, g in needs if rule == "R1-greeting"] == [center.weak_agent]
    assert {g for rule, g in needs if rule == "R2-verify"} <= set(center.new_hires)
    top_r1 = next(r for r in rows if r["rule"] == "R1-greeting")
    assert top_r1["group"] == center.weak_agent
    # Every call of the period is counted once, on the center's day.
    assert sum(r["rate"]["n"] for r in rows if r["rule"] == "R1-greeting") == 12 * 84 * 3


def test_new_hires_are_on_top_by_tenure(client, db_session, center: Center) -> None:
    from services.people import service as people_service

    for agent in center.new_hires:
        people_service.create_user(
            db_session=db_session,
            username=f"u-{agent}",
            role="agent",
            password="correct horse battery",
            agent_id=agent,
            team=center.teams[2],
            hired_on=center.first,
        )
    for agent in (f"{team}-A3" for team in center.teams):
        people_service.create_user(
            db_session=db_session,
            username=f"u-{agent}",
            role="agent",
            password="correct horse battery",
            agent_id=agent,
            team=agent.rsplit("-", 1)[0],
            hired_on=center.first.replace(year=2020),
        )
    db_session.commit()
    answer = client.get("/api/v1/reports/training-needs", params=period(center, dimension="tenure"))
    assert answer.status_code == 200, answer.text
    r2 = [r for r in answer.json()["rows"] if r["rule"] == "R2-verify"]
    assert r2[0]["group"] == "0–3 月 new hire" and r2[0]["is_need"]
    assert not any(r["is_need"] for r in r2[1:])


def test_the_bad_week_and_only_it_is_out_of_control(client, center: Center) -> None:
    for team in center.teams:
        answer = client.get(
            "/api/v1/reports/violation-chart", params=period(center, team=team, period="week")
        )
        assert answer.status_code == 200, answer.text
        chart = answer.json()["chart"]
        assert len(chart["labels"]) == 12
        expected = [center.bad_week] if team == center.bad_team else []
        assert chart["out_of_control"] == expected, team


def test_score_charts_from_the_rollup_equal_those_from_every_score(
    client, db_session, center: Center
) -> None:
    params = period(center, team=center.bad_team, period="week")
    answer = client.get("/api/v1/reports/score-chart", params=params)
    assert answer.status_code == 200, answer.text
    xbar, s = answer.json()["charts"]["xbar"], answer.json()["charts"]["s"]
    rows = db_session.execute(
        select(Call.started_at, CallScore.percent)
        .join(CallScore, CallScore.call_id == Call.id)
        .where(Call.team == center.bad_team)
    ).all()
    weeks: dict[str, list[float]] = {}
    for started_at, percent in rows:
        day = started_at.astimezone(SHANGHAI).date()
        monday = day - timedelta(days=day.weekday())
        weeks.setdefault(monday.isoformat(), []).append(percent)
    expected_xbar, expected_s = xbar_s_charts([Scores(k, v) for k, v in sorted(weeks.items())])
    assert xbar["labels"] == expected_xbar.labels
    assert xbar["values"] == pytest.approx(expected_xbar.values)
    assert xbar["ucl"] == pytest.approx(expected_xbar.ucl)
    assert s["values"] == pytest.approx(expected_s.values)
    assert center.bad_week in xbar["out_of_control"]  # its scores fell with its violations


def test_pareto_by_category_counts_each_violation_once(client, center: Center) -> None:
    answer = client.get(
        "/api/v1/reports/pareto", params=period(center, by="category", team=center.teams[0])
    )
    rows = answer.json()["rows"]
    assert [r["category"] for r in rows] == ["礼貌", "合规"]  # the weak agent's R1 leads
    assert rows[-1]["cumulative"] == pytest.approx(1.0)
    assert sum(r["count"] for r in rows) < 4 * 84 * 3 * 2  # once per rule per call, not per hit


def test_xlsx_and_csv_hold_the_json_numbers(client, center: Center) -> None:
    params = period(center, dimension="team")
    rows = client.get("/api/v1/reports/training-needs", params=params).json()["rows"]
    answer = client.get("/api/v1/reports/training-needs", params={**params, "format": "xlsx"})
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]
    cells = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(cells) == len(rows)
    for json_row, xlsx_row in zip(rows, cells, strict=True):
        assert xlsx_row[:5] == [
            json_row["rule"],
            "team",
            json_row["group"],
            json_row["rate"]["count"],
            json_row["rate"]["n"],
        ]
        assert xlsx_row[6] == pytest.approx(json_row["rate"]["low"])
        assert xlsx_row[9] == pytest.approx(json_row["gap"])
    csv = client.get("/api/v1/reports/pareto", params={**period(center), "format": "csv"})
    assert csv.content.startswith(b"\xef\xbb\xbf") and "text/csv" in csv.headers["content-type"]
    png = client.get("/api/v1/reports/violation-chart", params={**period(center), "format": "png"})
    assert png.content.startswith(b"\x89PNG")


def test_each_role_sees_only_what_it_may(client_as, center: Center) -> None:
    team = center.teams[0]
    agent = client_as("agent", agent_id=center.weak_agent, team=team)
    own = agent.get("/api/v1/reports/training-needs", params=period(center)).json()["rows"]
    assert {r["group"] for r in own} == {center.weak_agent}
    other = agent.get("/api/v1/reports/pareto", params=period(center, agent_id=f"{team}-A1"))
    assert other.status_code == 403
    lead = client_as("team_lead", team=team)
    rows = lead.get("/api/v1/reports/training-needs", params=period(center)).json()["rows"]
    assert {r["group"].rsplit("-", 1)[0] for r in rows} == {team}
    assert (
        lead.get("/api/v1/reports/pareto", params=period(center, team=center.teams[1])).status_code
        == 403
    )
    assert (
        client_as("inspector").get("/api/v1/reports/pareto", params=period(center)).status_code
        == 403
    )
    assert (
        client_as("training_lead")
        .get("/api/v1/reports/pareto", params=period(center, team=center.teams[1]))
        .status_code
        == 200
    )


def test_a_cells_evidence_is_its_calls_and_hit_times(client, client_as, center: Center) -> None:
    cell = period(center, agent_id=center.weak_agent)
    counts = client.get("/api/v1/reports/pareto", params={**cell, "by": "rule"}).json()["rows"]
    violations = next(r["count"] for r in counts if r["category"] == "R1-greeting")
    answer = client.get(
        "/api/v1/reports/evidence", params={**cell, "rule_id": "R1-greeting", "limit": 500}
    )
    assert answer.status_code == 200, answer.text
    hits = answer.json()["hits"]
    assert len(hits) == 2 * violations  # the seed stores two hits on each violating call
    assert {h["agent_id"] for h in hits} == {center.weak_agent}
    assert [h["started_at"] for h in hits] == sorted(h["started_at"] for h in hits)
    assert {(h["start"], h["end"]) for h in hits} == {(1.0, 3.0), (5.0, 7.0)}
    other_lead = client_as("team_lead", team=center.teams[1])
    assert (
        other_lead.get(
            "/api/v1/reports/evidence", params={**cell, "rule_id": "R1-greeting"}
        ).json()["hits"]
        == []
    )  # the weak agent is not in their team
    assert (
        other_lead.get(
            "/api/v1/reports/evidence",
            params={**cell, "rule_id": "R1-greeting", "team": center.teams[0]},
        ).status_code
        == 403
    )


def test_bad_periods_are_refused(client, center: Center) -> None:
    backwards = {"first": "2023-02-01", "last": "2023-01-01"}
    assert client.get("/api/v1/reports/pareto", params=backwards).status_code == 422
    too_long = {"first": "2021-01-01", "last": "2023-01-01"}
    assert client.get("/api/v1/reports/pareto", params=too_long).status_code == 422
    assert (
        client.get("/api/v1/reports/pareto", params={**period(center), "by": "x"}).status_code
        == 422
    )


def test_a_rescored_call_moves_to_its_new_counts(client, db_session, center: Center) -> None:
    params = period(center, by="rule", agent_id=center.weak_agent)
    before = {
        r["category"]: r["count"]
        for r in client.get("/api/v1/reports/pareto", params=params).json()["rows"]
    }
    call_id = center.call_ids[0]  # the weak agent's first call
    db_session.execute(
        insert(CallScore),
        [
            {
                "call_id": call_id,
                "pack": "sim",
                "pack_version": "2",
                "total": 10,
                "maximum": 10,
                "percent": 100,
                "auto_failed": False,
                "flagged": False,
                "reasons": [],
                "sections": [],
                "items": [],
            }
        ],
    )
    db_session.execute(
        insert(RuleStatus),
        [
            {
                "call_id": call_id,
                "pack": "sim",
                "pack_version": "2",
                "rule_id": rule,
                "category": "x",
                "severity": "major",
                "status": "pass",
            }
            for rule in ("R1-greeting", "R2-verify")
        ],
    )
    db_session.commit()
    was_hit = db_session.scalars(
        select(RuleStatus.rule_id).where(
            RuleStatus.call_id == call_id,
            RuleStatus.pack_version == "1",
            RuleStatus.status == "hit",
        )
    ).all()
    after = {
        r["category"]: r["count"]
        for r in client.get("/api/v1/reports/pareto", params=params).json()["rows"]
    }
    for rule in before:
        assert after.get(rule, 0) == before[rule] - (rule in was_hit)
