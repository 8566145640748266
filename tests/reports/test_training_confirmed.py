"""Training needs on inspectors' verdicts: confirmed hits only, low-precision rules marked,
tenure-band cells linked to their calls and hit times (per the viewer's rights).

One team in June 2021, one rule of its own, every call reviewed: agent X (hired 2021-05-15, a
new hire in June) has machine hits on 6 of 10 calls, the inspector confirms 2 and rejects 4;
agent Y (hired 2019) has hits on 2 of 10, both confirmed. Precision 4 of 8: low.
"""

import secrets
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import insert

from services.calls.tables import Call
from services.qa.reviews.tables import HitVerdict, Review
from services.reports import rollup
from services.scoring.tables import CallScore, RuleHit, RuleStatus
from tests import factories
from tests.reports.seed import SHANGHAI
from tests.reports.seed_coaching import call_row, hit_row, score_row, status_row

JUNE = {"first": "2021-06-01", "last": "2021-06-30"}
NEW_HIRE, TENURED = "0–3 月 new hire", "3 月以上 3 months or more"


@pytest.fixture
def team(db_session) -> dict[str, str]:
    """The team, its agents (users with hire dates) and the rule, reviewed and judged."""
    run = secrets.token_hex(3)
    names = {"team": f"{run}-T", "x": f"{run}-X", "y": f"{run}-Y", "rule": f"R-{run}"}
    inspector, _token = factories.user(db_session, "inspector")
    for agent, hired in ((names["x"], date(2021, 5, 15)), (names["y"], date(2019, 1, 1))):
        factories.user(db_session, "agent", agent_id=agent, team=names["team"], hired_on=hired)
    for agent, hits, confirmed in ((names["x"], 6, 2), (names["y"], 2, 2)):
        for k in range(10):
            started = datetime.combine(date(2021, 6, 1 + k), time(10), SHANGHAI).astimezone(UTC)
            call_id = db_session.scalars(
                insert(Call).returning(Call.id), [call_row(agent, names["team"], started)]
            ).one()
            db_session.execute(insert(CallScore), [score_row(call_id, k < hits)])
            db_session.execute(insert(RuleStatus), [status_row(call_id, k < hits, names["rule"])])
            review = Review(
                call_id=call_id,
                inspector_id=inspector.id,
                priority=1,
                reason="random",
                status="submitted",
                submitted_at=started + timedelta(days=1),
            )
            db_session.add(review)
            db_session.flush()
            if k < hits:
                hit_id = db_session.scalars(
                    insert(RuleHit).returning(RuleHit.id), [hit_row(call_id, names["rule"])]
                ).one()
                db_session.add(
                    HitVerdict(
                        review_id=review.id,
                        call_id=call_id,
                        hit_id=hit_id,
                        pack="sim",
                        pack_version="1",
                        rule_id=names["rule"],
                        start=1.0,
                        end=3.0,
                        confirmed=k < confirmed,
                        decided_by=inspector.username,
                    )
                )
    db_session.commit()
    rollup.catch_up(db_session)
    return names


def _needs(client, team: dict[str, str], **extra: str) -> dict:
    params = {**JUNE, "team": team["team"], **extra}
    answer = client.get("/api/v1/reports/training-needs", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_confirmed_hits_only_count_the_inspectors_verdicts(client, team) -> None:
    machine = {r["group"]: r["rate"]["count"] for r in _needs(client, team)["rows"]}
    assert machine == {team["x"]: 6, team["y"]: 2}
    body = _needs(client, team, confirmed="true")
    assert body["confirmed_only"] is True
    rows = {r["group"]: r for r in body["rows"]}
    assert {g: (r["rate"]["count"], r["rate"]["n"]) for g, r in rows.items()} == {
        team["x"]: (2, 10),
        team["y"]: (2, 10),
    }
    assert rows[team["x"]]["baseline"] == pytest.approx(4 / 20)


def test_a_rule_inspectors_mostly_reject_is_marked(client, team) -> None:
    body = _needs(client, team)
    assert body["precision"][team["rule"]] == {
        "confirmed": 4,
        "reviewed": 8,
        "precision": 0.5,
        "low": True,
    }
    assert all(r["low_precision"] for r in body["rows"])


def test_a_tenure_cell_links_to_its_calls_and_hit_times(client, client_as, team) -> None:
    rows = _needs(client, team, dimension="tenure")["rows"]
    assert {r["group"]: r["rate"]["count"] for r in rows} == {NEW_HIRE: 6, TENURED: 2}
    new_hires = next(r for r in rows if r["group"] == NEW_HIRE)
    hits = client.get(new_hires["evidence"]).json()["hits"]
    assert len(hits) == 6 and {h["agent_id"] for h in hits} == {team["x"]}
    assert {(h["start"], h["end"]) for h in hits} == {(1.0, 3.0)}
    tenured = next(r for r in rows if r["group"] == TENURED)
    assert {h["agent_id"] for h in client.get(tenured["evidence"]).json()["hits"]} == {team["y"]}
    # Agent Y following the new hires' link sees only their own calls: none of them.
    y = client_as("agent", agent_id=team["y"], team=team["team"])
    assert y.get(new_hires["evidence"]).json()["hits"] == []
    bad = client.get("/api/v1/reports/evidence", params={**JUNE, "rule_id": "x", "tenure": "?"})
    assert bad.status_code == 422
