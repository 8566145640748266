"""Names beside ids: a review's inspector, an evaluation's inspector and agent, a dispute's
agent, as people read them (display name, else username)."""

from sqlalchemy import select

from tests import floor


def test_reviews_evaluations_and_disputes_name_their_people(db_session):
    from services.people.tables import User

    place = floor.build(team="names")
    agent = db_session.scalars(select(User).where(User.agent_id == place.agent_id)).one()
    agent.display_name = "李小红"
    db_session.commit()
    call_id = place.calls["first"]

    queue = place.inspector.get("/api/v1/reviews").json()
    evaluation = place.review("first")
    disputed = place.agent.post(
        f"/api/v1/evaluations/{evaluation['id']}/disputes",
        json={"item_id": "attitude", "reason": "I was polite"},
    )

    assert {r["inspector_name"] for r in queue} == {place.inspector_name}
    assert evaluation["call_id"] == call_id
    assert evaluation["inspector_name"] == place.inspector_name
    assert evaluation["agent_name"] == "李小红"
    assert disputed.status_code == 201, disputed.text
    assert disputed.json()["agent_name"] == "李小红"
    listed = place.agent.get("/api/v1/evaluations").json()
    assert {e["agent_name"] for e in listed} == {"李小红"}


def test_names_preloaded_for_a_list_are_the_ones_looked_up_singly_and_cost_no_more_queries(
    db_session,
):
    from sqlalchemy import event

    from services.db import session_scope
    from services.people import names
    from tests import factories

    inspectors = [factories.user(db_session, "inspector")[0] for _ in range(3)]
    inspectors[0].display_name = "王检"
    agent_id = factories.unique("PRE")
    gone, _ = factories.user(db_session, "agent", agent_id=agent_id, display_name="旧")
    gone.active = False
    factories.user(db_session, "agent", agent_id=agent_id, display_name="新")
    db_session.commit()
    user_ids = {u.id for u in inspectors} | {10**12}
    agent_ids = {agent_id, "NOBODY"}

    with session_scope() as single:
        expected = {i: names.user_name(single, i) for i in user_ids}
        expected_agents = {a: names.agent_name(single, a) for a in agent_ids}
    with session_scope() as listed:
        names.preload(listed, user_ids=user_ids, agent_ids=agent_ids)
        queries: list[str] = []
        engine = listed.get_bind()
        record = lambda *args: queries.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", record)
        try:
            found = {i: names.user_name(listed, i) for i in user_ids}
            found_agents = {a: names.agent_name(listed, a) for a in agent_ids}
        finally:
            event.remove(engine, "before_cursor_execute", record)

    assert found == expected and found_agents == expected_agents
    assert expected_agents == {agent_id: "新", "NOBODY": None}
    assert "王检" in found.values() and found[10**12] is None
    assert queries == []
