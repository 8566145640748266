"""The review workspace's tools in a real browser: the transcript search highlights its matches
and Enter jumps the recording to the next one; clicking a turn picks it for a comment."""

import pytest

from tests.web.test_browser import Desk, player_time, sign_in, wait_for_audio


@pytest.fixture
def desk(db_session) -> Desk:
    return Desk(db_session)


def test_search_the_transcript_then_comment_on_the_turn_found(desk, web_url, chromium) -> None:
    page = chromium.new_page(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"})
    sign_in(page, web_url, desk.inspector.username)
    page.goto(f"{web_url}/reviews/{desk.review.id}")
    wait_for_audio(page)
    page.fill("#transcript-search", "有病")
    assert page.locator("#transcript mark").all_inner_texts() == ["有病"]
    assert "1" in page.inner_text("#search-count")
    page.press("#transcript-search", "Enter")
    found = page.locator("#transcript .turn.match-current")
    assert "你有病吧" in found.inner_text()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 18) < 0.5"
    )
    assert abs(player_time(page) - 18.0) < 0.5
    turn_id = found.get_attribute("id").removeprefix("turn-")
    found.click()
    assert page.input_value("#new-turn") == turn_id
    page.fill("#new-turn-comment", "语气不当")
    page.click("#save")
    page.wait_for_load_state()
    saved = page.locator(f"#turn-comments input[name=turn-comment-{turn_id}]")
    assert saved.input_value() == "语气不当"
    page.close()
