"""Every page of the workplace opens in a real browser (Debian's chromium) in Chinese, for the
role it is for, with content in it and nothing refused by the Content-Security-Policy; with
ZHIJIAN_SCREENSHOTS=DIR each is saved there as the README's picture (tests/web/test_browser.py
takes the review loop's pages)."""

import re
from typing import Any

import pytest

from tests import floor
from tests.calibration.api import CALLS, Desk, answer, submit
from tests.reports.seed_coaching import seed_coached_center
from tests.web.test_browser import sign_in, snap

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def center(module_db: object) -> dict[str, Any]:
    """A QA floor with a released evaluation its agent disputes, two areas in this week's
    rotation, a revealed calibration session beside an open one, and a coached center's
    report rollups for the training page."""
    from services.db import session_scope
    from services.reports import rollup

    place = floor.build(team="web-every-page")
    desk = Desk(place, inspectors=2)
    manager = place.manager
    for name, queue in (("华东区", "qa-q"), ("华南区", "south-q")):
        made = manager.post("/api/v1/areas", json={"name": name, "queues": [queue]})
        assert made.status_code == 201, made.text
    planned = manager.post("/api/v1/rotation", json={"start": floor.WEEK.date().isoformat()})
    assert planned.status_code == 201, planned.text

    evaluation = place.review("first")
    disputed = place.agent.post(
        f"/api/v1/evaluations/{evaluation['id']}/disputes",
        json={"item_id": "forbidden", "reason": "我是在转接，不是推诿"},
    )
    assert disputed.status_code == 201, disputed.text

    revealed = desk.session(title="上周校准")["id"]
    for position in range(1, len(CALLS) + 1):
        for n, name in enumerate((desk.expert, *desk.inspectors)):
            answer(desk.clients[name], revealed, position, solution=12 - 3 * n, attitude=8)
    for name in (desk.expert, *desk.inspectors):
        submit(desk.clients[name], revealed)
    desk.session(title="本周校准")

    with session_scope() as db_session:
        coached = seed_coached_center(db_session)
        rollup.catch_up(db_session)
    training = f"/training?first={coached.first}&last={coached.last}&dimension=team"
    return {"floor": place, "desk": desk, "revealed": revealed, "training": training}


def _pages(center: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(who, path, picture) for each page not taken by the review loop's test."""
    place, desk = center["floor"], center["desk"]
    return [
        (place.manager_name, "/people", "people"),
        (place.manager_name, "/rotation", "rotation"),
        (place.manager_name, "/rules", "rules"),
        (place.manager_name, "/calibration", "calibration"),
        (desk.inspectors[0], f"/calibration/{center['revealed']}", "calibration-reveal"),
        (place.trainer_name, center["training"], "training"),
        (place.manager_name, "/calls", "calls"),
        (place.lead_name, "/disputes", "disputes"),
    ]


def test_every_page_opens_in_chinese_without_a_refused_script(center, web_url, chromium) -> None:
    for who, path, picture in _pages(center):
        page = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
        refused: list[str] = []
        page.on(
            "console",
            lambda message, into=refused: (
                into.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        sign_in(page, web_url, who)
        answer = page.goto(f"{web_url}{path}")
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        page.wait_for_load_state("networkidle")
        heading = page.inner_text("h1")
        assert CJK.search(heading), (path, heading)
        assert page.locator("main table, main ul, main form, main section").count(), path
        assert refused == [], (path, refused)
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || !i.naturalWidth).map(i => i.src)"
        )
        assert broken == [], (path, broken)  # the charts drawn by the report endpoints too
        snap(page, picture)
        page.close()


def test_the_pages_show_what_was_made(center, web_url, chromium) -> None:
    place = center["floor"]
    page = chromium.new_page(locale="zh-CN")
    sign_in(page, web_url, place.lead_name)
    page.goto(f"{web_url}/disputes")
    assert "我是在转接" in page.inner_text("table.disputes")  # the agent's reason, to decide
    page.close()

    page = chromium.new_page(locale="zh-CN")
    sign_in(page, web_url, center["desk"].inspectors[0])
    page.goto(f"{web_url}/calibration/{center['revealed']}")
    assert page.locator("#deviation").count() == 1  # revealed: each participant's deviation
    page.close()
