"""Monitor rotation over eight periods: every area changes hands, nobody watches their own
team, and the workload stays within ±20 % of the mean."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from services.people.tables import Area
from services.qa.rotation import roster
from services.qa.rotation import service as rotation_service
from tests import factories

START = datetime(2030, 1, 7, tzinfo=UTC)  # Mondays from here


def _check(assignment: dict[int, int], previous: dict[int, int], inspectors, areas) -> None:
    homes = {i.user_id: i.home_team for i in inspectors}
    for area in areas:
        watcher = assignment[area.area_id]
        assert watcher != previous.get(area.area_id), "an area kept its inspector"
        assert homes[watcher] not in area.teams, "an inspector watches their own team"
    # The spread is computed here, not by the module under test.
    load = dict.fromkeys(homes, 0.0)
    for area in areas:
        load[assignment[area.area_id]] += area.workload
    mean = sum(load.values()) / len(load)
    assert max(abs(v - mean) for v in load.values()) <= 0.2 * mean, load


def test_eight_periods_of_rotation_obey_the_rules():
    inspectors = [roster.Inspector(n, f"t{n}" if n < 4 else None) for n in range(1, 5)]
    # Sampled calls per area: three areas (queues) in each of the three teams.
    work = {0: 30, 1: 25, 2: 40, 3: 20, 4: 35, 5: 30, 6: 28, 7: 33, 8: 22}
    previous: dict[int, int] = {}
    for period in range(8):
        areas = [
            roster.AreaLoad(a, frozenset({f"t{a % 3 + 1}"}), w, previous.get(a))
            for a, w in work.items()
        ]
        assignment = roster.plan(inspectors, areas, seed=f"p{period}")
        _check(assignment, previous, inspectors, areas)
        previous = assignment


def test_an_impossible_rotation_is_refused():
    inspectors = [roster.Inspector(1, "t1")]
    areas = [roster.AreaLoad(1, frozenset({"t2"}), 10, previous_inspector=1)]

    with pytest.raises(roster.RotationImpossible):
        roster.plan(inspectors, areas, seed="x")


@pytest.fixture
def floor(db_session):
    """Four inspectors (three from teams), eight areas: the whole rotation of this test."""
    names = [factories.user(db_session, "inspector", team=f"t{i}")[0].username for i in range(3)]
    names.append(factories.user(db_session, "inspector")[0].username)
    for a in range(8):
        db_session.add(Area(name=f"area{a}", queues=[f"q{a}"], teams=[f"t{a % 3}"]))
    db_session.commit()
    return names


def test_rotation_is_stored_with_history_and_moves_inspectors_areas(
    db_session, floor, client, client_as
):
    from services.people import service as people_service

    names = floor
    for week in range(8):
        start = START + timedelta(weeks=week)
        rotation_service.plan_period(
            db_session=db_session, start=start, end=start + timedelta(weeks=1), created_by="t"
        )
    # The last period, planned ahead, gives its areas when it comes into force.
    rotation_service.bring_into_force(db_session=db_session, at=START + timedelta(weeks=7, days=1))
    periods = client.get("/api/v1/rotation", params={"limit": 8}).json()

    assert len(periods) == 8
    ordered = sorted(periods, key=lambda p: p["start"])
    for before, after in itertools.pairwise(ordered):
        was = {a["area_id"]: a["user_id"] for a in before["assignments"]}
        assert all(was[a["area_id"]] != a["user_id"] for a in after["assignments"])
    current = ordered[-1]["assignments"]
    first = people_service.get_by_username(db_session=db_session, username=names[0])
    principal = people_service.principal(db_session=db_session, user_id=first.id, via="token")
    assert set(principal.area_ids) == {a["area_id"] for a in current if a["user_id"] == first.id}
    assert client_as("agent", agent_id="ROT-A").get("/api/v1/rotation").status_code == 403
    again = client.post(
        "/api/v1/rotation", json={"start": ordered[-1]["start"], "end": ordered[-1]["end"]}
    )
    assert again.status_code == 409  # the period exists


def test_bad_rotation_requests_are_refused(client):
    backwards = {"start": "2030-02-01T00:00:00Z", "end": "2030-01-01T00:00:00Z"}

    assert client.post("/api/v1/rotation", json=backwards).status_code == 422
    assert client.post("/api/v1/rotation", json={}).status_code == 422
    garbage = {"start": "soon", "end": "later"}
    assert client.post("/api/v1/rotation", json=garbage).status_code == 422
