"""Sampling plans over time: periods in the center's time zone, plans edited, paused, resumed
and deleted, runs listed, the current period on demand, and calls QA already has skipped."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.db import utcnow
from services.qa.sampling import picks
from services.qa.sampling import service as sampling_service
from services.qa.sampling.tables import SamplingPlan
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = datetime(2031, 3, 3, tzinfo=SHANGHAI)  # Monday 00:00 in Beijing: Sunday 16:00 UTC


@pytest.mark.parametrize(
    ("period", "at", "start", "end"),
    [
        # Monday 07:00 Beijing is still Sunday in UTC, yet in Beijing's new week.
        ("week", datetime(2031, 3, 2, 23, tzinfo=UTC),
         datetime(2031, 3, 2, 16, tzinfo=UTC), datetime(2031, 3, 9, 16, tzinfo=UTC)),
        ("week", datetime(2031, 3, 2, 15, 59, tzinfo=UTC),
         datetime(2031, 2, 23, 16, tzinfo=UTC), datetime(2031, 3, 2, 16, tzinfo=UTC)),
        ("day", datetime(2031, 3, 4, 17, tzinfo=UTC),
         datetime(2031, 3, 4, 16, tzinfo=UTC), datetime(2031, 3, 5, 16, tzinfo=UTC)),
        ("month", datetime(2031, 2, 28, 20, tzinfo=UTC),
         datetime(2031, 2, 28, 16, tzinfo=UTC), datetime(2031, 3, 31, 16, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_periods_are_cut_in_the_centers_time_zone(period, at, start, end):
    assert picks.period_bounds(period, at, SHANGHAI) == (start, end)


def test_a_day_across_a_clock_change_is_still_midnight_to_midnight():
    berlin = ZoneInfo("Europe/Berlin")
    start, end = picks.period_bounds("day", datetime(2031, 3, 30, 12, tzinfo=UTC), berlin)

    # Berlin's clocks go forward on 30 March: that day has 23 hours.
    assert start == datetime(2031, 3, 29, 23, tzinfo=UTC)
    assert end == datetime(2031, 3, 30, 22, tzinfo=UTC)


def test_the_default_center_is_beijing_and_a_run_samples_its_week(client, db_session):
    plan = _plan(client, "beijing week")

    run = client.post(
        f"/api/v1/sampling/plans/{plan['id']}/runs",
        json={"at": "2031-03-02T23:00:00Z", "dry_run": True},
    ).json()

    assert sampling_service.center_tz() == SHANGHAI
    assert (_at(run["period_start"]), _at(run["period_end"])) == (
        datetime(2031, 3, 2, 16, tzinfo=UTC),
        datetime(2031, 3, 9, 16, tzinfo=UTC),
    )


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _plan(client, name: str, **fields) -> dict:
    body = {"name": name, "per_agent": 2, "per_agent_cap": 5, "new_hire_per_agent": 2,
            "filters": {"teams": ["plans-t"]}, "always": {"cap": 0}, **fields}  # fmt: skip
    made = client.post("/api/v1/sampling/plans", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _calls(db_session, n: int, *, start: datetime = WEEK) -> list[int]:
    return [
        factories.call(
            db_session, agent_id="PLAN-A", team="plans-t", queue="q",
            started_at=start + timedelta(hours=7 + 10 * i),
        ).id
        for i in range(n)
    ]  # fmt: skip


def test_a_plan_is_edited_paused_resumed_and_its_runs_listed(client, db_session):
    _calls(db_session, 4)
    plan = _plan(client, "editable")
    url = f"/api/v1/sampling/plans/{plan['id']}"

    edited = client.patch(url, json={"per_agent": 3, "name": "edited"})
    bad = client.patch(url, json={"per_agent_cap": 1})  # under per_agent
    unknown = client.patch(url, json={"perAgent": 3})
    paused = client.patch(url, json={"active": False})
    scheduled = sampling_service.run_due(db_session=db_session, now=WEEK + timedelta(days=8))
    resumed = client.patch(url, json={"active": True})
    run_due = sampling_service.run_due(db_session=db_session, now=WEEK + timedelta(days=8))
    by_hand = client.post(f"{url}/runs", json={"at": (WEEK - timedelta(days=7)).isoformat()})
    runs = client.get(f"{url}/runs")

    assert edited.status_code == 200, edited.text
    assert edited.json()["spec"]["per_agent"] == 3 and edited.json()["spec"]["name"] == "edited"
    assert edited.json()["spec"]["filters"] == {**plan["spec"]["filters"]}  # the rest is kept
    assert bad.status_code == 422 and "per_agent_cap" in bad.text
    assert unknown.status_code == 422
    assert paused.json()["active"] is False and plan["id"] not in _ran(db_session, scheduled)
    assert resumed.json()["active"] is True and plan["id"] in _ran(db_session, run_due)
    assert by_hand.status_code == 200 and by_hand.json()["picks"] == []
    assert runs.status_code == 200
    listed = runs.json()
    assert [_at(r["period_start"]) for r in listed] == [
        datetime(2031, 3, 2, 16, tzinfo=UTC),
        datetime(2031, 2, 23, 16, tzinfo=UTC),
    ]
    assert [r["picked"] for r in listed] == [3, 0]
    assert listed[0]["created_by"] == "schedule" and listed[1]["created_by"] != "schedule"
    trail = client.get("/api/v1/audit?action=sampling_plan.updated").json()
    mine = [e["detail"] for e in trail if e["detail"]["plan_id"] == plan["id"]]
    assert [(d["changes"], d["active"]) for d in reversed(mine)] == [
        ({"per_agent": 3, "name": "edited"}, None),
        ({}, False),
        ({}, True),
    ]


def _ran(db_session, run_ids: list[int]) -> set[int]:
    return {
        sampling_service.get_run_or_raise(db_session=db_session, run_id=i).plan_id for i in run_ids
    }


def test_a_plan_without_runs_is_deleted_and_one_with_runs_is_kept_out_of_sight(client, db_session):
    _calls(db_session, 2)
    never_ran = _plan(client, "never ran")
    ran = _plan(client, "ran")
    run = client.post(f"/api/v1/sampling/plans/{ran['id']}/runs", json={"at": WEEK.isoformat()})

    gone = client.delete(f"/api/v1/sampling/plans/{never_ran['id']}")
    kept = client.delete(f"/api/v1/sampling/plans/{ran['id']}")
    again = client.delete(f"/api/v1/sampling/plans/{ran['id']}")

    assert (gone.status_code, kept.status_code, again.status_code) == (204, 204, 404)
    trail = client.get("/api/v1/audit?action=sampling_plan.deleted").json()
    assert sorted((e["detail"]["name"], e["detail"]["kept"]) for e in trail) == [
        ("never ran", False),
        ("ran", True),
    ]
    assert db_session.get(SamplingPlan, never_ran["id"]) is None
    row = db_session.get(SamplingPlan, ran["id"])
    assert row is not None and row.deleted_at is not None and row.active is False
    names = [p["spec"]["name"] for p in client.get("/api/v1/sampling/plans").json()]
    assert "ran" not in names and "never ran" not in names
    assert client.get(f"/api/v1/sampling/plans/{ran['id']}/runs").status_code == 404
    stored = client.get(f"/api/v1/sampling/runs/{run.json()['id']}")
    assert stored.status_code == 200 and len(stored.json()["picks"]) == 2
    assert _plan(client, "ran")["id"] != ran["id"]  # its name is free again
    scheduled = sampling_service.run_due(db_session=db_session, now=WEEK + timedelta(days=8))
    assert ran["id"] not in _ran(db_session, scheduled)


def test_a_run_for_now_samples_the_current_period_so_far(client, db_session):
    now = utcnow()
    made = _calls(db_session, 2, start=picks.period_bounds("week", now, SHANGHAI)[0])
    plan = _plan(client, "this week")

    default = client.post(f"/api/v1/sampling/plans/{plan['id']}/runs", json={"dry_run": True})
    current = client.post(
        f"/api/v1/sampling/plans/{plan['id']}/runs", json={"at": "now", "dry_run": True}
    )

    assert default.json()["complete"] is True and _at(default.json()["period_end"]) <= now
    body = current.json()
    assert body["complete"] is False
    assert _at(body["period_start"]) <= now < _at(body["period_end"])
    assert {p["call_id"] for p in body["picks"]} == set(made)
    assert client.post(
        f"/api/v1/sampling/plans/{plan['id']}/runs", json={"at": "yesterday"}
    ).status_code == 422  # fmt: skip


def test_a_second_plan_over_the_same_week_skips_the_calls_the_first_picked(client, db_session):
    made = _calls(db_session, 5)
    first = _plan(client, "plan one", per_agent=3)
    second = _plan(client, "plan two", per_agent=5)

    one = client.post(f"/api/v1/sampling/plans/{first['id']}/runs", json={"at": WEEK.isoformat()})
    two = client.post(f"/api/v1/sampling/plans/{second['id']}/runs", json={"at": WEEK.isoformat()})
    repeated = client.post(
        f"/api/v1/sampling/plans/{first['id']}/runs", json={"at": WEEK.isoformat()}
    )
    again = client.post(
        f"/api/v1/sampling/plans/{first['id']}/runs",
        json={"at": WEEK.isoformat(), "dry_run": True},
    )

    picked_one = {p["call_id"] for p in one.json()["picks"]}
    picked_two = {p["call_id"] for p in two.json()["picks"]}
    assert len(picked_one) == 3 and picked_two == set(made) - picked_one
    assert {p["call_id"] for p in repeated.json()["picks"]} == picked_one  # stored once
    assert {p["call_id"] for p in again.json()["picks"]} == picked_one  # its own picks count
