"""A participant scores a calibration call blind in a real browser (Debian's chromium): the
form is the review's, the agent is nowhere on the page, and the saved answer shows on the
session page, in Chinese. After the reveal the QA manager records a call's agreed answer and
notes in the comparison table, and the participant reads them there."""

import pytest

from tests import floor
from tests.calibration.api import Desk, answer
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


def test_the_manager_records_the_agreed_answer_in_the_browser(desk, web_url, chromium) -> None:
    sid = desk.session()["id"]
    for position in range(1, 5):
        answer(desk.clients[desk.expert], sid, position, solution=12, attitude=8)
        answer(desk.clients[desk.inspectors[0]], sid, position, solution=7, attitude=8)
    page = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    sign_in(page, web_url, desk.floor.manager_name)
    page.goto(f"{web_url}/calibration/{sid}")
    page.click("#reveal")
    page.wait_for_load_state()
    assert page.inner_text("#state") == "已揭晓"
    assert page.locator("#bias-chart").evaluate("img => img.naturalWidth") > 0

    form = page.locator("#agree-form-1")
    assert float(form.locator("input[name=earned-solution]").input_value()) == 12  # the expert's
    for radio in form.locator("input[type=radio][value=confirm]").all():
        radio.check()
    form.locator("input[name=earned-solution]").fill("10")
    form.locator("textarea[name=notes]").fill("开场白不完整，解决方案给 10 分")
    page.click("#agree-1")
    page.wait_for_load_state()
    assert page.url.endswith(f"/calibration/{sid}?agreed=1#call-1")
    assert "开场白不完整" in page.inner_text("#agreed-1")
    assert float(page.locator("#agree-form-1 input[name=earned-solution]").input_value()) == 10
    page.close()

    reader = chromium.new_page(locale="zh-CN")
    sign_in(reader, web_url, desk.inspectors[0])
    reader.goto(f"{web_url}/calibration/{sid}")
    assert "议定答案" in reader.inner_text("#agreed-1")
    assert reader.locator("#agree-form-1").count() == 0
    cell = reader.locator("table[data-call='1'] tr[data-item=solution] td.agreed-cell")
    assert cell.inner_text().strip() == "10"
    reader.close()
