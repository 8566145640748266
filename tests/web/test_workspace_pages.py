"""The review workspace's comments on single turns (kept in the draft, then in the evaluation)
and its transcript search, on a QA floor of this module."""

import re

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from tests import factories, floor
from tests.web.signin import sign_in


@pytest.fixture(scope="module")
def place(module_db):
    return floor.build(team="web-turns")


@pytest.fixture
def browser():
    with TestClient(create_app(), headers={"Accept-Language": "en-US,en;q=0.9"}) as client:
        yield client


def _turns(page: str) -> list[int]:
    return [int(t) for t in re.findall(r'<p class="turn [a-z]+" id="turn-(\d+)"', page)]


def _comments(page: str) -> str:
    start = page.index('id="turn-comments"')
    return page[start : page.index("</section>", start)]


def test_a_comment_on_a_turn_is_kept_in_the_draft_and_the_evaluation(place, browser) -> None:
    token = sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["first"]]
    turn = _turns(browser.get(f"/reviews/{review_id}").text)[1]
    saved = browser.post(
        f"/reviews/{review_id}",
        data={"csrf_token": token, "action": "save", "new_turn": str(turn),
              "new_turn_comment": "Too abrupt here."},
    )  # fmt: skip
    assert saved.status_code == 200
    assert f'name="turn-comment-{turn}" value="Too abrupt here."' in _comments(saved.text)
    draft = place.inspector.get(f"/api/v1/reviews/{review_id}").json()["draft"]
    assert draft["turns"][str(turn)]["comment"] == "Too abrupt here."
    evaluation = factories.submit_review(place.inspector, review_id)
    (kept,) = evaluation["turn_comments"]
    assert kept["turn_id"] == turn and kept["comment"] == "Too abrupt here."
    assert kept["role"] in ("agent", "customer") and kept["start"] >= 0
    sign_in(browser, place.agent_name)
    page = browser.get(f"/evaluations/{evaluation['id']}").text
    shown = page[page.index('id="turn-comments"') :]
    assert f'data-turn="{turn}"' in shown and "Too abrupt here." in shown


def test_an_emptied_turn_comment_is_removed(place, browser) -> None:
    token = sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["second"]]
    turn = _turns(browser.get(f"/reviews/{review_id}").text)[0]
    form = {"csrf_token": token, "action": "save"}
    browser.post(f"/reviews/{review_id}", data={**form, "new_turn": str(turn),
                                                 "new_turn_comment": "Check"})  # fmt: skip
    page = browser.post(f"/reviews/{review_id}", data={**form, f"turn-comment-{turn}": ""}).text
    assert f"turn-comment-{turn}" not in _comments(page)
    assert place.inspector.get(f"/api/v1/reviews/{review_id}").json()["draft"]["turns"] == {}


def test_a_turn_of_another_call_is_refused_and_nothing_saved(place, browser) -> None:
    token = sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["third"]]
    foreign = _turns(browser.get(f"/reviews/{place.reviews[place.calls['red']]}").text)[0]
    refused = browser.post(
        f"/reviews/{review_id}",
        data={"csrf_token": token, "action": "save", "new_turn": str(foreign),
              "new_turn_comment": "not this call", "comment": "kept?"},
    )  # fmt: skip
    assert refused.status_code == 422 and "not in this call" in refused.text
    draft = place.inspector.get(f"/api/v1/reviews/{review_id}").json()["draft"]
    assert draft.get("comment", "") != "kept?" and not draft.get("turns")
    no_turn = browser.post(
        f"/reviews/{review_id}",
        data={"csrf_token": token, "action": "save", "new_turn_comment": "which one?"},
    )
    assert no_turn.status_code == 422 and "Choose the turn" in no_turn.text


def test_another_inspector_cannot_comment_on_the_review(place, browser) -> None:
    review_id = place.reviews[place.calls["red"]]
    sign_in(browser, place.inspector_name)
    turn = _turns(browser.get(f"/reviews/{review_id}").text)[0]
    token = sign_in(browser, place.stranger_name)
    refused = browser.post(
        f"/reviews/{review_id}",
        data={"csrf_token": token, "action": "save", "new_turn": str(turn),
              "new_turn_comment": "sneaky"},
    )  # fmt: skip
    assert refused.status_code == 404 and "sneaky" not in refused.text
    assert not place.inspector.get(f"/api/v1/reviews/{review_id}").json()["draft"].get("turns")


def test_a_script_in_a_turn_comment_is_shown_as_text(place, browser) -> None:
    token = sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["misheard"]]
    turn = _turns(browser.get(f"/reviews/{review_id}").text)[0]
    page = browser.post(
        f"/reviews/{review_id}",
        data={"csrf_token": token, "action": "save", "new_turn": str(turn),
              "new_turn_comment": "<script>alert(1)</script>"},
    ).text  # fmt: skip
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _comments(page)


def test_turn_comments_over_the_api(place) -> None:
    review_id = place.reviews[place.calls["lapse"]]
    turn = place.inspector.get(f"/api/v1/calls/{place.calls['lapse']}").json()["turns"][0]["id"]
    saved = place.inspector.put(
        f"/api/v1/reviews/{review_id}", json={"turns": [{"turn_id": turn, "comment": "API"}]}
    )
    assert saved.status_code == 200, saved.text
    draft = place.inspector.get(f"/api/v1/reviews/{review_id}").json()["draft"]
    assert draft["turns"][str(turn)]["comment"] == "API"
    twice = place.inspector.put(
        f"/api/v1/reviews/{review_id}",
        json={"turns": [{"turn_id": turn, "comment": "a"}, {"turn_id": turn, "comment": "b"}]},
    )
    assert twice.status_code == 422


def test_the_workspace_offers_a_transcript_search_in_chinese(place, browser) -> None:
    sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["red"]]
    page = browser.get(f"/reviews/{review_id}", headers={"Accept-Language": "zh-CN"}).text
    assert 'id="transcript-search"' in page and "搜索转写文本" in page
    assert 'src="/static/review.js"' in page
    assert browser.get("/static/review.js").status_code == 200
