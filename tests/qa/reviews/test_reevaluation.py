"""A call has one evaluation in force: a second review is an explicit re-evaluation that makes
the next version of the same evaluation, and the database refuses a second one in force or a
call twice in the queues."""

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from services.db import session_scope
from services.people.tables import User
from services.qa.reviews.tables import HitVerdict
from tests import factories

EN = {"Accept-Language": "en"}


def _reevaluate(client, evaluation_id: int, **body):
    return client.post(
        f"/api/v1/evaluations/{evaluation_id}/re-evaluate",
        json={"reason": "the recording was cut at 0:40", **body},
        headers=EN,
    )


def _ladder_calls(client, agent: str, item: str) -> list[int]:
    records = client.get(f"/api/v1/agents/{agent}/discipline").json()["records"]
    return [r["call_id"] for r in records if r["item_id"] == item]


def test_a_re_evaluation_makes_the_next_version_of_the_same_evaluation(floor):
    first = floor.review("first")
    call_id, review_id = first["call_id"], first["review_id"]
    assert call_id in _ladder_calls(floor.manager, floor.agent_id, "forbidden")

    refused = _reevaluate(floor.inspector, first["id"])
    sent_back = _reevaluate(floor.manager, first["id"])
    twice = _reevaluate(floor.manager, first["id"])

    assert refused.status_code == 403
    assert sent_back.status_code == 200, sent_back.text
    reopened = sent_back.json()
    assert (reopened["id"], reopened["status"]) == (review_id, "open")
    assert reopened["reason"] == "re-evaluation: the recording was cut at 0:40"
    in_chinese = floor.manager.get(
        f"/api/v1/reviews/{review_id}", headers={"Accept-Language": "zh-CN"}
    )
    assert in_chinese.json()["review"]["reason"] == "复评：the recording was cut at 0:40"
    assert twice.status_code == 409 and "already being re-evaluated" in twice.json()["detail"]
    queue = floor.inspector.get("/api/v1/reviews").json()
    assert [r["id"] for r in queue if r["call_id"] == call_id] == [review_id]
    # Until it is submitted, version 1 is the one in force and the one the ladder counts.
    in_force = floor.manager.get(f"/api/v1/evaluations?agent_id={floor.agent_id}").json()
    assert [e["id"] for e in in_force if e["call_id"] == call_id] == [first["id"]]
    detail = floor.inspector.get(f"/api/v1/reviews/{review_id}").json()
    assert detail["evaluation_id"] is None and detail["missing"]

    second = factories.submit_review(floor.inspector, review_id, confirm=False)

    assert (second["review_id"], second["version"]) == (review_id, 2)
    assert second["why"] == "re-evaluation: the recording was cut at 0:40"
    in_chinese = {"Accept-Language": "zh-CN"}
    reread = floor.manager.get(f"/api/v1/evaluations/{second['id']}", headers=in_chinese).json()
    assert reread["why"] == "复评：the recording was cut at 0:40"
    assert second["released_at"] is not None  # version 1 was released: so is its successor
    history = floor.manager.get(f"/api/v1/evaluations/{first['id']}").json()
    assert history["superseded_by"] == second["id"] and history["total"] == first["total"]
    assert [v["version"] for v in history["versions"]] == [1, 2]
    in_force = floor.manager.get(f"/api/v1/evaluations?agent_id={floor.agent_id}").json()
    assert [e["id"] for e in in_force if e["call_id"] == call_id] == [second["id"]]
    # Every hit rejected in version 2: the ladder follows it, and so does the rule's precision.
    assert call_id not in _ladder_calls(floor.manager, floor.agent_id, "forbidden")
    with session_scope() as db_session:
        verdicts = db_session.execute(
            select(HitVerdict.confirmed, func.count())
            .where(HitVerdict.review_id == review_id)
            .group_by(HitVerdict.confirmed)
        ).all()
    judged = sum(len(i["hits"]) for i in detail["items"])
    assert judged > 0 and [tuple(v) for v in verdicts] == [(False, judged)]  # replaced, not added
    assert _reevaluate(floor.manager, first["id"]).status_code == 409  # superseded
    assert _reevaluate(floor.manager, second["id"]).status_code == 200  # in force


def test_open_disputes_are_carried_where_the_item_still_lost_and_closed_where_not(floor):
    carried_ev, closed_ev = floor.review("second"), floor.review("third")
    disputes = {
        name: floor.agent.post(
            f"/api/v1/evaluations/{ev['id']}/disputes",
            json={"item_id": "forbidden", "reason": "我没有说"},
        ).json()
        for name, ev in (("carried", carried_ev), ("closed", closed_ev))
    }
    for ev in (carried_ev, closed_ev):
        assert _reevaluate(floor.manager, ev["id"]).status_code == 200

    kept = factories.submit_review(floor.inspector, carried_ev["review_id"], confirm=True)
    cleared = factories.submit_review(floor.inspector, closed_ev["review_id"], confirm=False)

    listed = {d["id"]: d for d in floor.manager.get("/api/v1/disputes", headers=EN).json()}
    carried, closed = listed[disputes["carried"]["id"]], listed[disputes["closed"]["id"]]
    assert (carried["status"], carried["evaluation_id"]) == ("open", kept["id"])
    assert (closed["status"], closed["result_evaluation_id"]) == ("closed", cleared["id"])
    only_closed = floor.manager.get("/api/v1/disputes?status=closed").json()
    assert [d["id"] for d in only_closed] == [closed["id"]]
    # Written by zhijian, read in each reader's language (not the submitting inspector's).
    assert closed["decision_comment"] == (
        "closed: version 2 of the evaluation (a re-evaluation) no longer deducts for this item"
    )
    in_chinese = floor.manager.get("/api/v1/disputes", headers={"Accept-Language": "zh-CN"})
    assert {d["id"]: d for d in in_chinese.json()}[closed["id"]]["decision_comment"] == (
        "已关闭：评分的第 2 版（复评）不再对此项扣分"
    )
    # The carried dispute is still open: its item does not count until it is decided.
    assert carried_ev["call_id"] not in _ladder_calls(floor.manager, floor.agent_id, "forbidden")
    decided = floor.lead.post(
        f"/api/v1/disputes/{carried['id']}/decision",
        json={"decision": "upheld", "comment": "听过录音，确有此话"},
    )
    assert decided.status_code == 200, decided.text
    assert carried_ev["call_id"] in _ladder_calls(floor.manager, floor.agent_id, "forbidden")


def test_a_re_evaluation_goes_to_an_active_inspector_not_of_the_calls_team(floor):
    evaluation = floor.review("red")

    to_stranger = _reevaluate(floor.manager, evaluation["id"], inspector=floor.stranger_name)
    to_agent = _reevaluate(floor.manager, evaluation["id"], inspector=floor.agent_name)

    assert to_stranger.status_code == 422 and "team" in to_stranger.json()["detail"]
    assert to_agent.status_code == 422 and "not an active inspector" in to_agent.json()["detail"]
    with session_scope() as db_session:
        db_session.execute(
            update(User).where(User.username == floor.inspector_name).values(active=False)
        )
    to_author = _reevaluate(floor.manager, evaluation["id"])
    assert to_author.status_code == 422
    assert to_author.json()["detail"] == f"{floor.inspector_name} is not an active inspector"
    in_force = floor.manager.get(f"/api/v1/evaluations/{evaluation['id']}").json()
    assert in_force["superseded_by"] is None  # nothing changed


def test_the_database_holds_one_evaluation_in_force_and_one_open_review_per_call(floor):
    evaluation = floor.review("lapse")
    open_review = floor.reviews[floor.calls["misheard"]]

    with pytest.raises(IntegrityError, match="uq_evaluations_current_call"):  # noqa: SIM117
        with session_scope() as db_session:
            db_session.execute(
                text(
                    "INSERT INTO evaluations (review_id, version, call_id, agent_id, team,"
                    " inspector_id, pack, pack_version, items, sections, total, maximum,"
                    " auto_failed, comment, why, created_by, created_at) SELECT review_id, 9,"
                    " call_id, agent_id, team, inspector_id, pack, pack_version, items, sections,"
                    " total, maximum, auto_failed, comment, why, created_by, created_at"
                    " FROM evaluations WHERE id = :id"
                ),
                {"id": evaluation["id"]},
            )
    with pytest.raises(IntegrityError, match="uq_reviews_open_call"):  # noqa: SIM117
        with session_scope() as db_session:
            db_session.execute(
                text(
                    "INSERT INTO reviews (call_id, run_id, inspector_id, status, priority, reason,"
                    " assigned_at, draft) SELECT call_id, NULL, inspector_id, status, priority,"
                    " reason, assigned_at, draft FROM reviews WHERE id = :id"
                ),
                {"id": open_review},
            )


def test_a_stray_second_review_of_an_evaluated_call_cannot_be_submitted(floor):
    evaluation = floor.review("misheard")
    with session_scope() as db_session:
        stray = db_session.execute(
            text(
                "INSERT INTO reviews (call_id, run_id, inspector_id, status, priority, reason,"
                " assigned_at, draft) SELECT call_id, NULL, inspector_id, 'open', priority,"
                " reason, assigned_at, draft FROM reviews WHERE id = :id RETURNING id"
            ),
            {"id": evaluation["review_id"]},
        ).scalar_one()

    refused = floor.inspector.post(f"/api/v1/reviews/{stray}/submit", json={}, headers=EN)

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"call {evaluation['call_id']} already has evaluation {evaluation['id']} in force; "
        "a QA manager may re-evaluate it"
    )
