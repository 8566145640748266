"""Who may do what in the review loop (OWASP API1): objects one may not see answer 404 like
missing ones; actions a role may not take answer 403. Bad input changes nothing."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.db import session_scope
from services.errors import Conflict
from services.people import service as people_service
from services.qa.disputes import service as disputes
from services.qa.evaluations.tables import Evaluation


@pytest.fixture(scope="module")
def first(floor):
    """The first call's evaluation, released."""
    return floor.review("first")


def _dispute(client, evaluation_id, item="forbidden"):
    return client.post(
        f"/api/v1/evaluations/{evaluation_id}/disputes", json={"item_id": item, "reason": "不同意"}
    )


@pytest.mark.parametrize(
    ("method", "path", "roles"),
    [
        ("get", "/api/v1/reviews/{review}", ("agent", "lead", "trainer")),
        ("put", "/api/v1/reviews/{review}", ("agent", "lead", "trainer")),
        ("post", "/api/v1/reviews/{review}/submit", ("agent", "lead", "trainer")),
        ("post", "/api/v1/evaluations/{evaluation}/release", ("agent", "lead", "trainer")),
        ("post", "/api/v1/evaluations/{evaluation}/corrections", ("agent", "lead", "trainer")),
        ("get", "/api/v1/rules/forbidden_phrase/precision", ("agent", "lead")),
    ],
)
def test_roles_that_never_do_this_are_refused(floor, first, method, path, roles):
    evaluation = first
    url = path.format(review=floor.reviews[floor.calls["first"]], evaluation=evaluation["id"])
    for role in roles:
        answer = getattr(floor, role).request(method.upper(), url, json={})
        assert answer.status_code == 403, (role, answer.text)


def test_an_inspector_cannot_open_or_work_on_a_review_not_assigned_to_them(floor):
    review = floor.reviews[floor.calls["second"]]
    assert floor.stranger.get(f"/api/v1/reviews/{review}").status_code == 404
    assert floor.stranger.put(f"/api/v1/reviews/{review}", json={"comment": "x"}).status_code == 404
    assert floor.stranger.post(f"/api/v1/reviews/{review}/submit", json={}).status_code == 404
    assert floor.stranger.get("/api/v1/reviews").json() == []


def test_people_see_only_the_evaluations_disputes_and_ladders_that_are_theirs(floor):
    evaluation = floor.review("second")
    own = f"/api/v1/evaluations/{evaluation['id']}"
    for insider in (floor.agent, floor.lead, floor.trainer):
        assert insider.get(own).json()["id"] == evaluation["id"]
    for outsider in (floor.other_agent, floor.other_lead, floor.stranger):
        assert outsider.get(own).status_code == 404
        assert evaluation["id"] not in [e["id"] for e in outsider.get("/api/v1/evaluations").json()]
    assert _dispute(floor.other_agent, evaluation["id"]).status_code == 404
    ladder = f"/api/v1/agents/{floor.agent_id}/discipline"
    assert floor.other_agent.get(ladder).status_code == 404
    assert floor.other_lead.get(ladder).status_code == 404
    assert floor.stranger.get(ladder).status_code == 404
    assert floor.lead.get(ladder).json()["agent_id"] == floor.agent_id

    dispute = _dispute(floor.agent, evaluation["id"]).json()
    decision = f"/api/v1/disputes/{dispute['id']}/decision"
    body = {"decision": "upheld", "comment": "stands"}
    assert dispute["id"] not in [d["id"] for d in floor.other_agent.get("/api/v1/disputes").json()]
    assert floor.other_lead.post(decision, json=body).status_code == 404
    for cannot in (floor.agent, floor.inspector, floor.trainer):
        assert cannot.post(decision, json=body).status_code == 403
    assert floor.lead.post(decision, json=body).json()["status"] == "upheld"

    note = floor.agent.get("/api/v1/notifications").json()[0]
    assert floor.other_agent.post(f"/api/v1/notifications/{note['id']}/read").status_code == 404
    read = floor.agent.post(f"/api/v1/notifications/{note['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    unread = floor.agent.get("/api/v1/notifications?unread=true").json()
    assert note["id"] not in [n["id"] for n in unread]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hits": [{"hit_id": 999_999_999, "confirmed": True}]}, "not on this call"),
        ({"items": [{"item_id": "solution", "earned": 99}]}, "scored 0 to 15"),
        ({"items": [{"item_id": "nope", "earned": 1}]}, "no item 'nope'"),
        ({"items": [{"item_id": "solution"}, {"item_id": "solution"}]}, "may appear once"),
        ({"items": [{"item_id": "solution", "earned": 1, "not_applicable": True}]}, "not both"),
        ({"comment": "长" * 4001}, "at most 4000"),
        ({"comment": "a\x00b"}, "pattern"),
        ({"hits": [{"hit_id": 0, "confirmed": True}]}, "greater than or equal to 1"),
        ({"hits": [{"hit_id": 1, "confirmed": "maybe"}]}, "boolean"),
        ({"verdicts": []}, "Extra inputs"),
    ],
)
def test_bad_review_input_is_refused_and_the_draft_is_unchanged(floor, body, message):
    review = floor.reviews[floor.calls["red"]]
    answer = floor.inspector.put(f"/api/v1/reviews/{review}", json=body)
    assert answer.status_code == 422 and message in answer.text, answer.text
    assert floor.inspector.get(f"/api/v1/reviews/{review}").json()["draft"] == {}


def test_a_review_is_submitted_once_and_then_only_corrected_by_a_new_version(floor):
    evaluation = floor.review("misheard", release=False)
    review = floor.reviews[floor.calls["misheard"]]
    assert floor.inspector.post(f"/api/v1/reviews/{review}/submit", json={}).status_code == 409
    assert (
        floor.inspector.put(f"/api/v1/reviews/{review}", json={"comment": "x"}).status_code == 409
    )
    fixed = floor.inspector.post(
        f"/api/v1/evaluations/{evaluation['id']}/corrections",
        json={
            "items": [{"item_id": "attitude", "earned": 10, "comment": "re-listened"}],
            "reason": "attitude was fine",
        },
    )
    assert fixed.status_code == 201 and fixed.json()["version"] == 2
    assert fixed.json()["total"] == evaluation["total"] + 2 and fixed.json()["released_at"] is None
    # Why each version was made reads in its reader's language.
    for language, why in (("en", ["review", "correction: attitude was fine"]),
                          ("zh-CN", ["质检评分", "更正：attitude was fine"])):  # fmt: skip
        versions = floor.inspector.get(
            f"/api/v1/evaluations/{fixed.json()['id']}", headers={"Accept-Language": language}
        ).json()["versions"]
        assert [v["why"] for v in versions] == why
    again = floor.inspector.post(
        f"/api/v1/evaluations/{evaluation['id']}/corrections",
        json={"items": [{"item_id": "attitude", "earned": 9}], "reason": "x"},
    )
    assert again.status_code == 409  # only the version in force can be corrected
    assert (
        floor.manager.post(f"/api/v1/evaluations/{fixed.json()['id']}/release").status_code == 200
    )
    assert (
        floor.manager.post(f"/api/v1/evaluations/{fixed.json()['id']}/release").status_code == 409
    )


def test_a_released_evaluation_cannot_be_rewritten_even_in_the_database(first):
    evaluation = first
    with (
        pytest.raises(DBAPIError, match="released evaluation is final"),
        session_scope() as db_session,
    ):
        db_session.execute(
            text("UPDATE evaluations SET total = 100 WHERE id = :id"), {"id": evaluation["id"]}
        )
    with session_scope() as db_session:
        row = db_session.get(Evaluation, evaluation["id"])
        assert row.total == evaluation["total"]


def test_disputes_are_limited_to_lost_items_once_each_within_the_window_and_number(floor):
    evaluation = floor.review("third")
    assert _dispute(floor.agent, evaluation["id"], item="greeting").status_code == 422
    assert _dispute(floor.agent, evaluation["id"], item="nope").status_code == 422
    assert _dispute(floor.agent, evaluation["id"], item="").status_code == 422
    first = _dispute(floor.agent, evaluation["id"], item="forbidden")
    assert first.status_code == 201
    assert _dispute(floor.agent, evaluation["id"], item="forbidden").status_code == 409
    decision = f"/api/v1/disputes/{first.json()['id']}/decision"
    for bad in ({"decision": "maybe", "comment": "x"}, {"decision": "upheld", "comment": ""},
                {"decision": "overturned", "comment": "x", "earned": -1}):  # fmt: skip
        assert floor.manager.post(decision, json=bad).status_code == 422
    too_much = floor.manager.post(
        decision, json={"decision": "overturned", "comment": "x", "earned": 11}
    )
    assert too_much.status_code == 422 and "scored 0 to 10" in too_much.text
    assert (
        floor.manager.post(decision, json={"decision": "upheld", "comment": "ok"}).status_code
        == 200
    )
    assert (
        floor.manager.post(decision, json={"decision": "upheld", "comment": "ok"}).status_code
        == 409
    )

    with session_scope() as db_session:
        row = db_session.get(Evaluation, evaluation["id"])
        user = people_service.get_by_username_or_raise(
            db_session=db_session, username=floor.agent_name
        )
        agent = people_service.principal(db_session=db_session, user_id=user.id, via="token")
        with pytest.raises(Conflict, match="window closed"):
            disputes.open_dispute(
                db_session=db_session,
                row=row,
                principal=agent,
                item_id="attitude",
                reason="late",
                window_days=0,
                per_evaluation=5,
            )
        with pytest.raises(Conflict, match="at most 1 disputes"):
            disputes.open_dispute(
                db_session=db_session,
                row=row,
                principal=agent,
                item_id="attitude",
                reason="one too many",
                window_days=7,
                per_evaluation=1,
            )
