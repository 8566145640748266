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
