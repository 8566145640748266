"""Sampled calls go to the inspector watching their area; an absent inspector's work moves on."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.calls.tables import Call
from services.db import utcnow
from services.people import service as people_service
from services.people.tables import Area, User
from services.qa.reviews import assignment
from services.qa.reviews.tables import Review
from services.qa.rotation import service as rotation_service
from services.qa.sampling import service as sampling_service
from services.qa.sampling.schemas import PlanSpec
from tests import factories

WEEK = datetime(2031, 3, 3, tzinfo=UTC)  # a Monday


@pytest.fixture
def desk(db_session):
    """Two areas, three inspectors (the test's only ones), a week of scored calls."""
    for team in ("tA", "tB", None):
        factories.user(db_session, "inspector", team=team)
    for name, queue, team in (("north", "q1", "tA"), ("south", "q2", "tB")):
        db_session.add(Area(name=name, queues=[queue], teams=[team]))
    for n in range(24):
        queue, team = ("q1", "tA") if n % 2 else ("q2", "tB")
        made = factories.call(
            db_session, agent_id=f"agent{n % 4}", team=team, queue=queue,
            started_at=WEEK + timedelta(hours=5 * n),
        )  # fmt: skip
        factories.call_score(db_session, made, percent=50, flagged=n % 5 == 0)
    db_session.commit()
    start, end = rotation_service.week_of(utcnow())  # in force now: it decides who reviews
    rotation_service.plan_period(db_session=db_session, start=start, end=end, created_by="t")


def _run(db_session):
    spec = PlanSpec(name="desk", period="week", per_agent=3, new_hire_per_agent=3,
                    filters={"teams": ["tA", "tB"]}, always={"cap": 1})  # fmt: skip
    plan = sampling_service.create_plan(db_session=db_session, spec=spec)
    return sampling_service.run(
        db_session=db_session, plan=plan, at=WEEK, dry_run=False, created_by="t"
    )[0]


def test_each_sampled_call_goes_to_the_inspector_of_its_area_once(db_session, desk):
    run = _run(db_session)
    period = rotation_service.latest(db_session=db_session)
    watcher = {
        a.area_id: a.user_id
        for a in rotation_service.assignments(db_session=db_session, period=period)
    }
    areas = {a.name: a for a in db_session.scalars(select(Area))}

    reviews = [p.review for p in assignment.assign_run(db_session=db_session, run=run)]
    again = assignment.assign_run(db_session=db_session, run=run)

    assert reviews and again == []
    for review in reviews:
        call = db_session.get(Call, review.call_id)
        area = areas["north"] if call.queue.endswith("q1") else areas["south"]
        assert review.inspector_id == watcher[area.id]
        assert db_session.get(User, review.inspector_id).team != call.team


def test_the_queue_is_risk_first_and_private_and_an_absent_inspectors_work_moves(
    db_session, desk, anonymous
):
    reviews = [p.review for p in assignment.assign_run(db_session=db_session, run=_run(db_session))]
    busy = db_session.get(User, reviews[0].inspector_id)
    token = people_service.create_token(db_session=db_session, user=busy)
    db_session.commit()
    anonymous.headers["Authorization"] = f"Bearer {token}"

    queue = anonymous.get("/api/v1/reviews").json()

    assert {r["inspector_id"] for r in queue} == {busy.id}
    assert [r["priority"] for r in queue] == sorted(r["priority"] for r in queue)
    assert anonymous.get(f"/api/v1/calls/{queue[0]['call_id']}").json()["id"] == queue[0]["call_id"]
    moved = assignment.reassign_from(db_session=db_session, inspector=busy)
    db_session.commit()
    assert moved and all(r.inspector_id != busy.id for r in moved)
    for review in moved:
        assert (
            db_session.get(User, review.inspector_id).team
            != db_session.get(Call, review.call_id).team
        )
    assert anonymous.get("/api/v1/reviews").json() == []
    mine = db_session.scalars(
        select(Review).where(Review.inspector_id == busy.id, Review.status == "open")
    ).all()
    assert mine == []
