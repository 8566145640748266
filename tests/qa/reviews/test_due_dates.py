"""Reviews made by a sampling run are due by the end of the center's day some days after the
run (the plan's ``review_within_days``); the queue puts the soonest due first within each risk
level, and managers list the overdue ones."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.config import get_settings
from services.db import utcnow
from services.qa.reviews import assignment
from services.qa.reviews.tables import Review
from services.qa.sampling import service as sampling_service
from services.qa.sampling.due import due_at
from services.qa.sampling.schemas import PlanSpec
from services.qa.sampling.tables import SamplingRun
from tests import factories

WEEK = datetime(2031, 3, 3, tzinfo=UTC)  # a Monday
SHANGHAI = "Asia/Shanghai"


@pytest.fixture
def shanghai(monkeypatch):
    monkeypatch.setattr(get_settings(), "center_timezone", SHANGHAI)


@pytest.fixture
def week_of_calls(db_session):
    """One inspector (the test's only one) and a week of scored calls of two agents."""
    team = factories.unique("due-team")
    factories.user(db_session, "inspector", team="qa-desk")
    for n in range(6):
        made = factories.call(db_session, agent_id=f"{team}-{n % 2}", team=team,
                              started_at=WEEK + timedelta(hours=7 * n))  # fmt: skip
        factories.call_score(db_session, made, percent=50 + n, flagged=n == 0)
    db_session.commit()
    return team


def _run(db_session, team: str, *, at: datetime, **spec: object) -> SamplingRun:
    """A stored run of a new plan over the calls' week, as if made at ``at``."""
    plan_spec = PlanSpec(name=factories.unique("due"), per_agent=2, filters={"teams": [team]},
                         **spec)  # type: ignore[arg-type]  # fmt: skip
    plan = sampling_service.create_plan(db_session=db_session, spec=plan_spec)
    run = sampling_service.run(
        db_session=db_session, plan=plan, at=WEEK, dry_run=False, created_by="t"
    )[0]
    assert run is not None
    run.created_at = at
    return run


def _assign(db_session, run: SamplingRun) -> list[Review]:
    return [p.review for p in assignment.assign_run(db_session=db_session, run=run)]


def test_a_run_at_23_30_in_shanghai_counts_from_that_shanghai_day(shanghai) -> None:
    late = datetime(2031, 3, 5, 15, 30, tzinfo=UTC)  # 23:30 on 5 March in Shanghai
    # The end of 8 March in Shanghai, 15:59:59 UTC, not the end of 8 March in UTC.
    assert due_at(late, 3) == datetime(2031, 3, 8, 15, 59, 59, tzinfo=UTC)
    after_midnight = datetime(2031, 3, 5, 16, 30, tzinfo=UTC)  # 00:30 on 6 March in Shanghai
    assert due_at(after_midnight, 3) == datetime(2031, 3, 9, 15, 59, 59, tzinfo=UTC)
    assert due_at(late, 0) == datetime(2031, 3, 5, 15, 59, 59, tzinfo=UTC)  # that same day
    assert due_at(late, None) is None


def test_another_center_zone_moves_the_end_of_the_day(monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "center_timezone", "Europe/Berlin")
    late = datetime(2031, 3, 5, 22, 30, tzinfo=UTC)  # 23:30 in Berlin (UTC+1 in March)
    assert due_at(late, 1) == datetime(2031, 3, 6, 22, 59, 59, tzinfo=UTC)


def test_a_runs_reviews_are_due_as_its_plan_says(db_session, week_of_calls, shanghai) -> None:
    at = datetime(2031, 3, 10, 15, 30, tzinfo=UTC)  # 23:30 on Monday 10 March in Shanghai
    reviews = _assign(db_session, _run(db_session, week_of_calls, at=at, review_within_days=2))

    assert reviews
    assert {r.due_at for r in reviews} == {datetime(2031, 3, 12, 15, 59, 59, tzinfo=UTC)}
    db_session.commit()
    stored = db_session.scalars(select(Review).where(Review.id == reviews[0].id)).one()
    assert stored.due_at == datetime(2031, 3, 12, 15, 59, 59, tzinfo=UTC)  # kept in UTC


def test_a_plan_without_a_limit_makes_reviews_without_a_due_date(db_session, week_of_calls):
    at = datetime(2031, 3, 10, 2, tzinfo=UTC)
    reviews = _assign(db_session, _run(db_session, week_of_calls, at=at, review_within_days=None))
    assert reviews and all(r.due_at is None for r in reviews)


def test_the_default_is_three_days(db_session) -> None:
    assert PlanSpec(name="x").review_within_days == 3
    # A plan stored before due dates existed reads with the default.
    assert PlanSpec.model_validate({"name": "old", "period": "week"}).review_within_days == 3


def test_the_api_shows_due_dates_sorts_by_them_and_lists_the_overdue(
    db_session, week_of_calls, client_as, shanghai
) -> None:
    manager = client_as("qa_manager")
    plan = manager.post("/api/v1/sampling/plans", json={
        "name": factories.unique("due-api"), "per_agent": 2, "filters": {"teams": [week_of_calls]},
        "review_within_days": 1,
    })  # fmt: skip
    assert plan.status_code == 201, plan.text
    assert plan.json()["spec"]["review_within_days"] == 1
    run = manager.post(f"/api/v1/sampling/plans/{plan.json()['id']}/runs",
                       json={"at": WEEK.isoformat()})  # fmt: skip
    assert run.status_code in (200, 201), run.text
    assigned = manager.post(f"/api/v1/sampling/runs/{run.json()['id']}/assign").json()
    assert assigned and {a["due_at"] for a in assigned} == {run.json()["reviews_due_at"]}
    listed = manager.get(f"/api/v1/sampling/plans/{plan.json()['id']}/runs").json()
    assert listed[0]["reviews_due_at"] == run.json()["reviews_due_at"]
    assert not any(a["overdue"] for a in assigned)  # due tomorrow (Shanghai) at the earliest

    # One review went past its date: it comes first within its risk level.
    late = db_session.get(Review, assigned[-1]["id"])
    late.due_at = utcnow() - timedelta(days=1)
    db_session.commit()

    queue = manager.get("/api/v1/reviews").json()
    mine = [r for r in queue if r["id"] in {a["id"] for a in assigned}]
    assert [r["priority"] for r in mine] == sorted(r["priority"] for r in mine)
    first_of_level = next(r for r in mine if r["priority"] == late.priority)
    assert first_of_level["id"] == late.id and first_of_level["overdue"] is True

    overdue = manager.get("/api/v1/reviews", params={"overdue": "true"}).json()
    assert late.id in {r["id"] for r in overdue}
    assert all(r["overdue"] for r in overdue)
    assert not {a["id"] for a in assigned if a["id"] != late.id} & {r["id"] for r in overdue}


def test_the_due_date_is_changed_and_removed_on_the_plan(client_as) -> None:
    manager = client_as("qa_manager")
    plan = manager.post("/api/v1/sampling/plans", json={"name": factories.unique("due-patch")})
    assert plan.json()["spec"]["review_within_days"] == 3
    url = f"/api/v1/sampling/plans/{plan.json()['id']}"

    def days(value: object) -> object:
        return manager.patch(url, json={"review_within_days": value}).json()["spec"][
            "review_within_days"
        ]

    assert days(5) == 5
    assert days(None) is None
    assert manager.patch(url, json={"review_within_days": -1}).status_code == 422
