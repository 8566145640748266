"""Sampled calls go to the inspector watching their area; an absent inspector's work moves on."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from services.calls.tables import Call
from services.people import service as people_service
from services.people.tables import Area, User, UserArea
from services.qa import assignment, rotation_service
from services.qa import service as qa_service
from services.qa.schemas import PlanSpec
from services.qa.tables import Review, RotationPeriod
from services.scoring.tables import Score
from tests.conftest import make_user

WEEK = datetime(2031, 3, 3, tzinfo=UTC)  # a Monday no other test samples


@pytest.fixture
def desk(db_session):
    """Two areas, three inspectors (the only active ones), a week of scored calls."""
    tag = secrets.token_hex(3)
    db_session.execute(delete(RotationPeriod))
    db_session.execute(delete(UserArea))
    db_session.execute(delete(Area))
    others = list(db_session.scalars(select(User).where(User.role == "inspector")))
    for user in others:
        user.active = False
    db_session.commit()
    names = [make_user("inspector", team=f"{tag}-{t}")[0] for t in ("tA", "tB")]
    names.append(make_user("inspector")[0])
    for name, queue, team in (("north", "q1", "tA"), ("south", "q2", "tB")):
        db_session.add(
            Area(name=f"{tag}-{name}", queues=[f"{tag}-{queue}"], teams=[f"{tag}-{team}"])
        )
    for n in range(24):
        queue, team = (f"{tag}-q1", f"{tag}-tA") if n % 2 else (f"{tag}-q2", f"{tag}-tB")
        call = Call(bucket="desk", object_key=f"{tag}/{n}.wav", object_version="v", source="upload",
                    agent_id=f"{tag}-agent{n % 4}", team=team, queue=queue, status="scored",
                    started_at=WEEK + timedelta(hours=5 * n), channel_map={}, extra={})  # fmt: skip
        db_session.add(call)
        db_session.flush()
        db_session.add(Score(call_id=call.id, pack="p", pack_version="v", total=50, maximum=100,
                             percent=50, auto_failed=False, flagged=n % 5 == 0, reasons=["flagged"],
                             sections=[], items=[]))  # fmt: skip
    db_session.commit()
    rotation_service.plan_period(
        db_session=db_session, start=WEEK, end=WEEK + timedelta(weeks=1), created_by="t"
    )
    yield tag, names
    for user in others:
        user.active = True
    db_session.execute(delete(RotationPeriod))
    db_session.commit()


def _run(db_session, tag: str):
    spec = PlanSpec(name=f"desk-{tag}", period="week", per_agent=3, new_hire_per_agent=3,
                    filters={"teams": [f"{tag}-tA", f"{tag}-tB"]}, always={"cap": 1})  # fmt: skip
    plan = qa_service.create_plan(db_session=db_session, spec=spec)
    return qa_service.run(db_session=db_session, plan=plan, at=WEEK, dry_run=False, created_by="t")[
        0
    ]


def test_each_sampled_call_goes_to_the_inspector_of_its_area_once(db_session, desk):
    tag, _names = desk
    run = _run(db_session, tag)
    period = rotation_service.latest(db_session=db_session)
    watcher = {
        a.area_id: a.user_id
        for a in rotation_service.assignments(db_session=db_session, period=period)
    }
    areas = {a.name.split("-", 1)[1]: a for a in db_session.scalars(select(Area))}

    reviews = assignment.assign_run(db_session=db_session, run=run)
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
    tag, _names = desk
    reviews = assignment.assign_run(db_session=db_session, run=_run(db_session, tag))
    busy = db_session.get(User, reviews[0].inspector_id)
    token = people_service.create_token(db_session=db_session, user=busy)
    anonymous.headers["Authorization"] = f"Bearer {token}"

    queue = anonymous.get("/api/v1/reviews").json()

    assert {r["inspector_id"] for r in queue} == {busy.id}
    assert [r["priority"] for r in queue] == sorted(r["priority"] for r in queue)
    assert anonymous.get(f"/api/v1/calls/{queue[0]['call_id']}").json()["id"] == queue[0]["call_id"]
    moved = assignment.reassign_from(db_session=db_session, inspector=busy)
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
