"""Reading a review in the inspector's language: rule names and evidence texts in Chinese or
English, unjudged hits null, flag-only hits judged (and counted for precision), maxima explained."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.api.app import create_app
from services.qa.reviews.tables import Review
from tests import factories

UPSET_UNANSWERED = [
    ("agent", 0.0, 6.0, "您好，很高兴为您服务，我是客服工号一零二四，请问有什么可以帮您"),
    ("customer", 6.5, 10.0, "你们这服务太差了，我要投诉"),
    ("agent", 10.5, 13.0, "您的话费余额是五十八元"),
    ("customer", 13.5, 15.0, "好吧"),
    ("agent", 15.5, 17.0, "嗯"),
]


@pytest.fixture
def review(db_session: Session) -> tuple[TestClient, int]:
    """An inspector's API client and their open review of a call where the customer complained
    (unanswered, and an escalation risk) and the agent did not close."""
    inspector, token = factories.user(db_session, "inspector")
    call = factories.scored_call(
        db_session, lines=UPSET_UNANSWERED, agent_id=factories.unique("A"), team="t"
    )
    row = Review(call_id=call.id, inspector_id=inspector.id, priority=0, reason="flagged")
    db_session.add(row)
    db_session.commit()
    return TestClient(create_app(), headers={"Authorization": f"Bearer {token}"}), row.id


def test_a_calls_hits_carry_their_rule_name_in_the_request_language(review, client):
    inspector, review_id = review
    call_id = inspector.get(f"/api/v1/reviews/{review_id}").json()["call"]["id"]

    def hits(language: str) -> dict[str, dict[str, Any]]:
        answer = client.get(f"/api/v1/calls/{call_id}", headers={"Accept-Language": language})
        assert answer.status_code == 200, answer.text
        return {h["rule_id"]: h for h in answer.json()["hits"]}

    en, zh = hits("en"), hits("zh-CN")
    assert en["closing"]["rule_name"] == "No standard closing"
    assert zh["closing"]["rule_name"] == "未使用标准结束语"
    assert en["closing"]["text"].startswith("The agent said none of")
    assert zh["escalation_risk"]["text"] == en["escalation_risk"]["text"] == "投诉"  # as said


def _detail(client: TestClient, review_id: int, language: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/reviews/{review_id}", headers={"Accept-Language": language})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _item(detail: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in detail["items"] if i["id"] == item_id)


def test_the_same_review_in_english_and_in_chinese(review):
    client, review_id = review

    en, zh = _detail(client, review_id, "en-US,en;q=0.9"), _detail(client, review_id, "zh-CN")

    [en_hit] = _item(en, "empathy")["hits"]
    [zh_hit] = _item(zh, "empathy")["hits"]
    assert en_hit["rule_id"] == zh_hit["rule_id"] == "no_empathy"
    assert en_hit["rule_name"] == "No empathy for an upset customer"
    assert zh_hit["rule_name"] == "客户不满时未安抚"
    assert en_hit["text"].startswith("The agent said none of 「理解您的心情」")
    assert en_hit["text"].endswith("within 3 turns after 0:10")
    assert zh_hit["text"].startswith("坐席在 0:10 之后的 3 句内未说出「理解您的心情」")
    # The agent's turns where an apology was expected, never the customer's complaint.
    assert en_hit["role"] == "agent" and "太差" not in en_hit["text"]
    [closing] = _item(zh, "closing")["hits"]
    assert closing["text"].startswith("坐席在其最后 3 句内未说出「再见」")
    assert en["max_points"]["summary"].startswith("Out of ")
    assert zh["max_points"]["summary"].startswith("满分 ")
    assert en["machine"]["max_points"]["counted"] == en["machine"]["maximum"]
    assert {i["item"] for i in en["machine"]["max_points"]["left_out"]} >= {"solution", "attitude"}


def test_unjudged_hits_are_null_until_judged(review):
    client, review_id = review
    detail = _detail(client, review_id, "en")
    [hit] = _item(detail, "empathy")["hits"]
    assert hit["confirmed"] is None
    assert _item(detail, "empathy")["earned"] == 0  # the machine's verdict stands until then

    saved = client.put(
        f"/api/v1/reviews/{review_id}",
        json={"hits": [{"hit_id": hit["hit_id"], "confirmed": False}]},
    )
    assert saved.status_code == 200, saved.text

    after = _detail(client, review_id, "en")
    assert _item(after, "empathy")["hits"][0]["confirmed"] is False
    assert _item(after, "empathy")["earned"] == 10
    assert _item(after, "closing")["hits"][0]["confirmed"] is None


def test_flag_only_hits_are_judged_and_count_for_precision(review, client):
    inspector, review_id = review
    detail = _detail(inspector, review_id, "zh-CN")
    [flag] = [h for h in detail["flags"] if h["rule_id"] == "escalation_risk"]
    assert flag["confirmed"] is None and flag["role"] == "customer"
    assert flag["rule_name"] == "客户提及投诉、监管、诉讼或赔偿"
    before = client.get("/api/v1/rules/escalation_risk/precision").json()
    scored_hits = [h["hit_id"] for i in detail["items"] for h in i["hits"]]

    body = {
        "hits": [{"hit_id": h, "confirmed": True} for h in scored_hits]
        + [{"hit_id": flag["hit_id"], "confirmed": False, "comment": "said as an example"}],
        "items": [{"item_id": "solution", "earned": 15}, {"item_id": "attitude", "earned": 8}],
    }
    assert inspector.put(f"/api/v1/reviews/{review_id}", json=body).status_code == 200
    judged = _detail(inspector, review_id, "en")
    assert [h["confirmed"] for h in judged["flags"] if h["rule_id"] == "escalation_risk"] == [False]
    submitted = inspector.post(
        f"/api/v1/reviews/{review_id}/submit", json={}, headers={"Accept-Language": "en"}
    )
    assert submitted.status_code == 201, submitted.text

    after = client.get("/api/v1/rules/escalation_risk/precision").json()
    assert after["rejected"] == before["rejected"] + 1
    assert after["reviewed"] == before["reviewed"] + 1
    evaluation = submitted.json()
    assert evaluation["max_points"]["counted"] == evaluation["maximum"]
    assert set(evaluation["max_points"]["manual"]["items"]) == {"solution", "attitude"}
    [hit] = next(i for i in evaluation["items"] if i["id"] == "empathy")["hits"]
    assert hit["rule_name"] == "No empathy for an upset customer" and hit["confirmed"] is True
    in_chinese = inspector.get(
        f"/api/v1/evaluations/{evaluation['id']}", headers={"Accept-Language": "zh-CN"}
    ).json()
    [hit] = next(i for i in in_chinese["items"] if i["id"] == "empathy")["hits"]
    assert hit["rule_name"] == "客户不满时未安抚" and hit["text"].startswith("坐席在")
    assert in_chinese["max_points"]["summary"].startswith("满分 ")


def test_an_error_answers_in_the_request_language(review):
    inspector, _review_id = review

    english = inspector.get("/api/v1/reviews/987654321", headers={"Accept-Language": "en"})
    chinese = inspector.get("/api/v1/reviews/987654321", headers={"Accept-Language": "zh-CN"})

    assert english.status_code == chinese.status_code == 404
    assert english.json()["detail"] == "review 987654321 does not exist"
    assert chinese.json()["detail"] == "质检任务 987654321 不存在"
