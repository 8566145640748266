"""Assignment follows the inspectors' current areas: a call goes to an inspector watching its
area however light the others' load; where none can take it, the fallback is reported; a run's
unstarted reviews can be assigned again, started ones cannot."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.errors import InvalidInput, NotFound
from services.i18n import use_language
from services.people import service as people_service
from services.people.tables import Area
from services.qa.reviews.tables import Review
from services.qa.sampling import service as sampling_service
from services.qa.sampling.schemas import PlanSpec
from tests import factories

WEEK = datetime(2033, 6, 6, tzinfo=UTC)  # a Monday


@pytest.fixture
def center(db_session, client_as):
    """Two watched areas (T1, retail), one nobody watches (vip), one inspector per watched
    area (the T1 one busier), five T1 calls, a vip call and a call in no area, in one run."""
    team = factories.unique("sales")
    areas = {}
    for name in ("T1", "retail", "vip"):
        area = Area(name=factories.unique(name), queues=[factories.unique(f"{name}-q")], teams=[])
        db_session.add(area)
        areas[name] = area
    db_session.flush()
    t1, _ = factories.user(db_session, "inspector", team="qa-1")
    retail, _ = factories.user(db_session, "inspector", team="qa-2")
    people_service.assign_areas(db_session=db_session, user=t1, area_ids=[areas["T1"].id])
    people_service.assign_areas(db_session=db_session, user=retail, area_ids=[areas["retail"].id])
    for n in range(3):  # the T1 inspector is the busier one before the run
        earlier = factories.call(db_session, agent_id=f"{team}-old{n}", team=team, queue="x")
        db_session.add(Review(call_id=earlier.id, inspector_id=t1.id, priority=1, reason="old"))
    queues = [areas["T1"].queues[0]] * 5 + [areas["vip"].queues[0], "nowhere"]
    calls = {}
    for n, queue in enumerate(queues):
        made = factories.call(
            db_session,
            agent_id=f"{team}-a{n}",
            team=team,
            queue=queue,
            started_at=WEEK + timedelta(hours=n + 1),
        )
        factories.call_score(db_session, made, percent=90)
        calls[made.id] = queue
    spec = PlanSpec(name=team, period="week", per_agent=1, filters={"teams": [team]})
    plan = sampling_service.create_plan(db_session=db_session, spec=spec)
    run = sampling_service.run(
        db_session=db_session, plan=plan, at=WEEK, dry_run=False, created_by="t"
    )[0]
    db_session.commit()
    manager = client_as("qa_manager")
    manager.headers["Accept-Language"] = "en"  # the fallbacks' reasons are compared in English
    return {
        "team": team,
        "run": run,
        "areas": areas,
        "t1": t1,
        "retail": retail,
        "calls": calls,
        "manager": manager,
    }


def _assign(center):
    answer = center["manager"].post(f"/api/v1/sampling/runs/{center['run'].id}/assign")
    assert answer.status_code == 200, answer.text
    return {r["call_id"]: r for r in answer.json()}


def test_a_call_goes_to_the_inspector_of_its_area_however_light_the_others_load(center):
    assigned = _assign(center)

    t1_calls = [c for c, q in center["calls"].items() if q == center["areas"]["T1"].queues[0]]
    assert sorted(assigned) == sorted(center["calls"])
    for call_id in t1_calls:  # the retail inspector, idle, never gets a T1 call
        assert assigned[call_id]["inspector_id"] == center["t1"].id
        assert assigned[call_id]["area"] == center["areas"]["T1"].name
        assert assigned[call_id]["fallback"] is None


def test_a_call_no_inspector_watches_falls_back_and_says_why(center):
    assigned = _assign(center)

    by_queue = {q: assigned[c] for c, q in center["calls"].items()}
    vip = by_queue[center["areas"]["vip"].queues[0]]
    nowhere = by_queue["nowhere"]
    assert vip["fallback"] == f"no inspector watches area {center['areas']['vip'].name}"
    assert nowhere["fallback"] == "the call is in no area" and nowhere["area"] is None
    # The least loaded: the retail inspector, who has nothing else to do.
    assert vip["inspector_id"] == nowhere["inspector_id"] == center["retail"].id


def test_areas_set_by_hand_decide_when_unstarted_reviews_are_assigned_again(center, db_session):
    assigned = _assign(center)
    vip_call = next(c for c, q in center["calls"].items() if q == center["areas"]["vip"].queues[0])
    people_service.assign_areas(
        db_session=db_session,
        user=center["t1"],
        area_ids=[center["areas"]["T1"].id, center["areas"]["vip"].id],
    )
    db_session.commit()

    again = center["manager"].post(f"/api/v1/sampling/runs/{center['run'].id}/reassign", json={})

    assert again.status_code == 200, again.text
    moved = {r["call_id"]: r for r in again.json()}
    assert sorted(moved) == sorted(assigned)
    assert (
        moved[vip_call]["inspector_id"] == center["t1"].id and moved[vip_call]["fallback"] is None
    )


def test_reassigning_moves_unstarted_reviews_and_refuses_started_ones(center, db_session):
    assigned = _assign(center)
    t1_reviews = [r["id"] for r in assigned.values() if r["inspector_id"] == center["t1"].id]
    token = people_service.create_token(db_session=db_session, user=center["t1"])
    db_session.commit()
    inspector = TestClient(center["manager"].app, headers={"Authorization": f"Bearer {token}"})
    started = inspector.put(f"/api/v1/reviews/{t1_reviews[0]}", json={"comment": "listening"})
    assert started.status_code == 200, started.text
    url = f"/api/v1/sampling/runs/{center['run'].id}/reassign"
    to_retail = {"review_ids": t1_reviews[1:3], "username": center["retail"].username}

    refused = center["manager"].post(
        url, json={"review_ids": t1_reviews[:2], "username": center["retail"].username}
    )
    moved = center["manager"].post(url, json=to_retail)

    assert refused.status_code == 409 and str(t1_reviews[0]) in refused.json()["detail"]
    assert moved.status_code == 200, moved.text
    assert {r["id"]: r["inspector_id"] for r in moved.json()} == {
        t1_reviews[1]: center["retail"].id,
        t1_reviews[2]: center["retail"].id,
    }
    queue = inspector.get("/api/v1/reviews").json()
    assert t1_reviews[0] in {r["id"] for r in queue}
    assert not {t1_reviews[1], t1_reviews[2]} & {r["id"] for r in queue}
    # Only a QA manager reassigns; another run's review is not this run's.
    assert inspector.post(url, json={}).status_code == 403
    other = center["manager"].post(url, json={"review_ids": [2**62]})
    assert other.status_code == 404


def test_only_inspectors_watch_areas_and_only_areas_that_exist(db_session, center):
    agent, _ = factories.user(db_session, "agent", agent_id=factories.unique("A"))
    area = center["areas"]["T1"].id

    with use_language("en"), pytest.raises(InvalidInput, match="only inspectors watch areas"):
        people_service.assign_areas(db_session=db_session, user=agent, area_ids=[area])
    with use_language("zh_CN"), pytest.raises(NotFound, match="没有编号为 999999999 的区域"):
        people_service.assign_areas(
            db_session=db_session, user=center["t1"], area_ids=[area, 999999999]
        )
    assert people_service.current_areas(db_session=db_session, user_id=agent.id) == []
    assert people_service.current_areas(db_session=db_session, user_id=center["t1"].id) == [area]


def test_an_area_watched_only_from_the_calls_own_team_falls_back(center, db_session):
    insider, _ = factories.user(db_session, "inspector", team=center["team"])
    vip = center["areas"]["vip"]
    people_service.assign_areas(db_session=db_session, user=insider, area_ids=[vip.id])
    db_session.commit()

    assigned = _assign(center)

    vip_call = next(c for c, q in center["calls"].items() if q == vip.queues[0])
    assert assigned[vip_call]["fallback"] == (
        f"the inspectors watching area {vip.name} belong to the call's team"
    )
    assert insider.id not in {r["inspector_id"] for r in assigned.values()}
