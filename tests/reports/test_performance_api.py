"""Team performance and an agent's own trend through the API, on exact planted counts
(tests/reports/seed_coaching.py: a violating call scores 50 %, the others 100 %)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from services.calls.tables import Call
from services.qa.reviews.tables import Review
from tests import factories
from tests.reports.seed import folded
from tests.reports.seed_coaching import CoachedCenter, seed_coached_center

CALLS_A = 6 * 9 * 35
VIOLATING_A = 5 * 90 + 4 * 72
# Agent A0: 10 violating calls of 35 a week before the coaching (weeks 0–4), then 5.
A0_WEEKS = [10] * 5 + [5] * 4


@pytest.fixture(scope="module")
def center() -> CoachedCenter:
    """Two teams of six agents over nine weeks, folded into the rollups."""
    return folded(seed_coached_center)


def _span(center: CoachedCenter, **extra: str) -> dict[str, str]:
    return {"first": center.first.isoformat(), "last": center.last.isoformat(), **extra}


def test_team_performance_counts_scores_flags_and_reviews(client, db_session, center) -> None:
    inspector, _token = factories.user(db_session, "inspector")
    calls = db_session.scalars(
        select(Call).where(Call.team == center.team_a).order_by(Call.id).limit(3)
    ).all()
    for k, call in enumerate(calls):
        db_session.add(
            Review(
                call_id=call.id,
                inspector_id=inspector.id,
                priority=1,
                reason="random",
                assigned_at=call.started_at + timedelta(hours=1),
                submitted_at=call.started_at + timedelta(hours=2) if k == 0 else None,
                status="submitted" if k == 0 else "open",
            )
        )
    db_session.commit()
    answer = client.get(
        "/api/v1/reports/team-performance", params=_span(center, team=center.team_a)
    )
    assert answer.status_code == 200, answer.text
    [team] = answer.json()["teams"]
    assert (team["team"], team["calls"], team["flagged"]) == (center.team_a, CALLS_A, VIOLATING_A)
    assert team["mean_score"] == pytest.approx(100 - 50 * VIOLATING_A / CALLS_A)
    share = VIOLATING_A / CALLS_A
    assert team["sd_score"] == pytest.approx(
        50 * (share * (1 - share) * CALLS_A / (CALLS_A - 1)) ** 0.5
    )
    assert team["flagged_share"] == pytest.approx(share)
    assert team["distribution"] == [0, 0, 0, 0, 0, VIOLATING_A, 0, 0, 0, CALLS_A - VIOLATING_A]
    first_week = center.first.isoformat()
    assert team["weekly_mean"][first_week] == pytest.approx(100 - 50 * 90 / 210)
    assert (team["disputes_raised"], team["disputes_overturned"], team["ladder_steps"]) == (0, 0, 0)
    assert answer.json()["inspectors"] == [
        {"inspector": inspector.username, "assigned": 3, "submitted": 1}
    ]
    xlsx = client.get(
        "/api/v1/reports/team-performance",
        params=_span(center, team=center.team_a, format="xlsx"),
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    summary = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert summary[0][:3] == (center.team_a, CALLS_A, pytest.approx(team["mean_score"]))
    distribution = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert list(distribution[0][1:]) == team["distribution"]
    workload = list(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert workload == [(inspector.username, 3, 1)]


def test_an_agent_sees_their_own_trend_and_no_one_elses(client_as, center) -> None:
    me = f"{center.team_a}0"
    agent = client_as("agent", agent_id=me, team=center.team_a)
    answer = agent.get("/api/v1/reports/agent-trend", params=_span(center))
    assert answer.status_code == 200, answer.text
    weeks = answer.json()["weeks"]
    assert [w["calls"] for w in weeks] == [35] * 9
    assert [round(w["violating_share"] * 35) for w in weeks] == A0_WEEKS
    assert weeks[0]["mean_score"] == pytest.approx(100 - 50 * 10 / 35)
    other = agent.get("/api/v1/reports/agent-trend", params=_span(center, agent_id=f"{me[:-1]}1"))
    assert other.status_code == 403
    own_team = agent.get("/api/v1/reports/team-performance", params=_span(center)).json()
    assert [t["calls"] for t in own_team["teams"]] == [9 * 35]  # their own calls only
    assert own_team["inspectors"] == []


def test_a_team_lead_sees_their_teams_agents_only(client_as, center) -> None:
    lead = client_as("team_lead", team=center.team_a)
    mine = lead.get(
        "/api/v1/reports/agent-trend", params=_span(center, agent_id=f"{center.team_a}1")
    )
    assert mine.status_code == 200 and len(mine.json()["weeks"]) == 9
    theirs = lead.get(
        "/api/v1/reports/agent-trend", params=_span(center, agent_id=f"{center.team_b}1")
    )
    assert theirs.status_code == 200 and theirs.json()["weeks"] == []  # not in the lead's team
    teams = lead.get("/api/v1/reports/team-performance", params=_span(center)).json()["teams"]
    assert [t["team"] for t in teams] == [center.team_a]
    assert lead.get("/api/v1/reports/agent-trend", params=_span(center)).status_code == 422
    csv = lead.get(
        "/api/v1/reports/agent-trend",
        params=_span(center, agent_id=f"{center.team_a}1", format="csv"),
    )
    assert csv.content.decode("utf-8-sig").splitlines()[1].startswith(f"{center.first},35,")
