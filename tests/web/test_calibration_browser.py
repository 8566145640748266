"""A participant scores a calibration call blind in a real browser (Debian's chromium): the
form is the review's, the agent is nowhere on the page, and the saved answer shows on the
session page, in Chinese."""

import pytest

from tests import floor
from tests.calibration.api import Desk
from tests.web.test_browser import sign_in


@pytest.fixture(scope="module")
def desk(module_db):
    return Desk(floor.build(team="web-calib-browser"), inspectors=2)


def test_a_participant_scores_a_call_blind_in_the_browser(desk, web_url, chromium) -> None:
    sid = desk.session()["id"]
    me = desk.inspectors[0]
    page = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    sign_in(page, web_url, me)
    page.goto(f"{web_url}/calibration")
    assert page.inner_text("h1") == "校准"
    page.click(f"#sessions a[href='/calibration/{sid}']")
    page.wait_for_load_state()
    assert page.inner_text("#state") == "盲评中"
    page.locator("a.score-call").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/calibration/{sid}/calls/1")
    assert desk.floor.agent_id not in page.content()

    for radio in page.locator("input[type=radio][value=confirm]").all():
        radio.check()
    page.fill("input[name=earned-solution]", "12")
    page.fill("input[name=earned-attitude]", "8")
    page.click("#save")
    page.wait_for_load_state()
    assert page.url.endswith("?saved=1")
    assert float(page.input_value("input[name=earned-solution]")) == 12
    page.goto(f"{web_url}/calibration/{sid}")
    assert "已评分" in page.locator(".calibration-calls li").first.inner_text()
    page.close()
