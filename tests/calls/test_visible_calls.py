"""Which calls a principal sees, through the calls service itself (the API's 404s rest on it):
role by role, then each list filter at its edges and the pages of the keyset cursor. Every test
makes its own teams, queues and calls, and looks only at those."""

from datetime import UTC, datetime, timedelta

import pytest

from services.calls import service as calls_service
from services.people import service as people_service
from services.people.service import Principal
from services.qa.reviews.tables import Review
from tests import factories

T0 = datetime(2031, 5, 6, 9, tzinfo=UTC)


def _principal(role: str, *, user_id: int = 0, team=None, agent_id=None, areas=()) -> Principal:
    return Principal(user_id, f"{role}-{user_id}", role, team, agent_id, tuple(areas), "token")


def _calls(db_session, tag: str) -> dict[str, int]:
    """Four calls in four teams, queues and agents of ``tag``: name → call id."""
    return {
        name: factories.call(
            db_session,
            agent_id=f"{tag}-{name}",
            team=f"{tag}-t{name}",
            queue=f"{tag}-q{name}",
            started_at=T0,
        ).id
        for name in "abcd"
    }


def _seen(db_session, principal: Principal | None, ids: dict[str, int]) -> set[str]:
    listed, _ = calls_service.get_all(db_session=db_session, principal=principal, limit=1000)
    by_id = {v: k for k, v in ids.items()}
    names = {by_id[c.id] for c in listed if c.id in by_id}
    one_by_one = {
        name
        for name, call_id in ids.items()
        if calls_service.get(db_session=db_session, call_id=call_id, principal=principal)
    }
    assert names == one_by_one, "the list and the single call disagree"
    return names


@pytest.mark.parametrize("role", ["admin", "qa_manager", "training_lead"])
def test_managers_and_training_leads_see_every_call(db_session, role):
    ids = _calls(db_session, factories.unique("all"))

    assert _seen(db_session, _principal(role), ids) == set("abcd")
    assert _seen(db_session, None, ids) == set("abcd")  # the system itself


def test_a_team_lead_sees_their_teams_calls_and_without_a_team_none(db_session):
    tag = factories.unique("lead")
    ids = _calls(db_session, tag)

    assert _seen(db_session, _principal("team_lead", team=f"{tag}-tb"), ids) == {"b"}
    assert _seen(db_session, _principal("team_lead"), ids) == set()


def test_an_agent_sees_their_own_calls_only_and_without_an_agent_id_none(db_session):
    tag = factories.unique("agent")
    ids = _calls(db_session, tag)
    me = _principal("agent", team=f"{tag}-tc", agent_id=f"{tag}-c")

    assert _seen(db_session, me, ids) == {"c"}
    assert _seen(db_session, _principal("agent", team=f"{tag}-tc"), ids) == set()


def test_an_inspector_sees_assigned_calls_and_the_queues_and_teams_of_their_areas(db_session):
    tag = factories.unique("insp")
    ids = _calls(db_session, tag)
    user, _ = factories.user(db_session, "inspector")
    other, _ = factories.user(db_session, "inspector")
    by_queue = people_service.create_area(
        db_session=db_session, name=f"{tag}-queue", queues=[f"{tag}-qa"], teams=[]
    )
    by_team = people_service.create_area(
        db_session=db_session, name=f"{tag}-team", queues=[], teams=[f"{tag}-tb"]
    )
    for call, who in (("c", user), ("d", other)):
        db_session.add(Review(call_id=ids[call], inspector_id=who.id, priority=1, reason="t"))
    db_session.flush()

    areas = (by_queue.id, by_team.id)
    assert _seen(db_session, _principal("inspector", user_id=user.id, areas=areas), ids) == {
        "a",
        "b",
        "c",
    }
    assert _seen(db_session, _principal("inspector", user_id=user.id), ids) == {"c"}
    assert _seen(db_session, _principal("inspector", user_id=other.id), ids) == {"d"}


def test_an_unknown_role_sees_nothing(db_session):
    ids = _calls(db_session, factories.unique("none"))

    assert _seen(db_session, _principal("auditor"), ids) == set()


def _listed(db_session, **filters) -> list[int]:
    return [c.id for c in calls_service.get_all(db_session=db_session, limit=1000, **filters)[0]]


def test_each_list_filter_keeps_only_what_it_names(db_session):
    team = factories.unique("filters")
    one = factories.call(
        db_session, team=team, agent_id=f"{team}-1", started_at=T0, status="scored", flagged=True
    ).id
    two = factories.call(
        db_session,
        team=team,
        agent_id=f"{team}-2",
        started_at=T0 + timedelta(hours=1),
        status="received",
        flagged=False,
    ).id
    factories.call(db_session, team=f"{team}-x", agent_id=f"{team}-1", started_at=T0)

    assert _listed(db_session, team=team) == [two, one]  # newest first
    assert _listed(db_session, team=team, flagged=True) == [one]
    assert _listed(db_session, team=team, flagged=False) == [two]
    assert _listed(db_session, team=team, status="received") == [two]
    assert _listed(db_session, team=team, agent_id=f"{team}-1") == [one]
    # From is inclusive, to exclusive, at the exact instant.
    assert _listed(db_session, team=team, started_from=T0 + timedelta(hours=1)) == [two]
    assert _listed(db_session, team=team, started_to=T0 + timedelta(hours=1)) == [one]


@pytest.mark.parametrize("count", [5, 6, 7])
def test_pages_hold_limit_calls_without_gaps_or_repeats_and_end_with_no_cursor(db_session, count):
    team = factories.unique("pages")
    ids = [factories.call(db_session, team=team, started_at=T0).id for _ in range(count)]

    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = calls_service.get_all(
            db_session=db_session, team=team, limit=3, cursor=cursor
        )
        assert len(page) == min(3, count - len(seen))
        seen += [c.id for c in page]
        pages += 1
        if cursor is None:
            break

    assert seen == sorted(ids, reverse=True)
    assert pages == -(-count // 3)  # a full last page is not followed by an empty one


def test_a_page_holds_50_calls_unless_asked_otherwise(db_session):
    team = factories.unique("fifty")
    for _ in range(51):
        factories.call(db_session, team=team, started_at=T0)

    page, cursor = calls_service.get_all(db_session=db_session, team=team)

    assert len(page) == 50 and cursor is not None
