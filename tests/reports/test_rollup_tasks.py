"""The rollups kept by the workers' periodic tasks: a request folds in a few new scores itself
but leaves a backlog to the workers; the hourly recompute repairs what the mark missed."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from services.calls.tables import Call
from services.reports import rollup
from tests.reports.seed_coaching import (
    call_row,
    hit_row,
    score_row,
    seed_coached_center,
    status_row,
)

TEAM_A_VIOLATIONS = 5 * 90 + 4 * 72  # weeks 0–4: 10+20+10+20+10+20; after: 5+13+9+18+8+19


def _r1_count(client, team: str, first: str, last: str) -> int:
    params = {"first": first, "last": last, "team": team, "by": "rule"}
    answer = client.get("/api/v1/reports/pareto", params=params)
    assert answer.status_code == 200, answer.text
    return sum(r["count"] for r in answer.json()["rows"] if r["category"] == "R1-greeting")


def test_a_backlog_is_left_to_the_workers_periodic_fold(client, db_session) -> None:
    from workers.tasks import report_rollup

    rollup.catch_up(db_session)
    center = seed_coached_center(db_session)  # 6,048 new scores: more than a request folds
    span = (center.first.isoformat(), center.last.isoformat())
    assert rollup.fold_for_read(db_session) == 0
    assert _r1_count(client, center.team_a, *span) == 0
    report_rollup()
    assert _r1_count(client, center.team_a, *span) == TEAM_A_VIOLATIONS


def test_a_request_folds_in_a_few_new_scores_itself(client, db_session) -> None:
    rollup.catch_up(db_session)
    team = "fold-now"
    call_id = _one_violating_call(db_session, team, datetime(2022, 5, 10, 3, tzinfo=UTC))
    assert call_id
    assert _r1_count(client, team, "2022-05-10", "2022-05-10") == 1


def test_the_recompute_puts_in_a_score_the_mark_passed_by(client, db_session) -> None:
    from workers.tasks import report_recompute

    rollup.catch_up(db_session)
    team = "late-commit"
    _one_violating_call(db_session, team, datetime.now(UTC) - timedelta(minutes=1))
    # As if a parallel transaction had committed this score after a fold marked a newer id.
    db_session.execute(
        text(
            "INSERT INTO report_rollup_mark (id, score_id) "
            "SELECT 1, max(id) + 1000000 FROM scores "
            "ON CONFLICT (id) DO UPDATE SET score_id = excluded.score_id"
        )
    )
    today = datetime.now(rollup.center_zone()).date().isoformat()
    assert _r1_count(client, team, today, today) == 0
    report_recompute()
    assert _r1_count(client, team, today, today) == 1


def test_the_beat_runs_both_tasks() -> None:
    from services import pipeline
    from workers.app import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {pipeline.REPORT_ROLLUP, pipeline.REPORT_RECOMPUTE} <= tasks


def _one_violating_call(db_session, team: str, started_at: datetime) -> int:
    call_id = db_session.scalars(
        insert(Call).returning(Call.id), [call_row(f"{team}-A0", team, started_at)]
    ).one()
    from services.scoring.tables import CallScore, RuleHit, RuleStatus

    db_session.execute(insert(CallScore), [score_row(call_id, True)])
    db_session.execute(insert(RuleStatus), [status_row(call_id, True)])
    db_session.execute(insert(RuleHit), [hit_row(call_id)])
    db_session.commit()
    return int(call_id)
