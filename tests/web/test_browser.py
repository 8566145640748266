"""The pages in a real browser (Debian's chromium, driven by Playwright): an inspector reviews
a call with the recording synced to the transcript, the agent disputes an item, the team lead
decides it; in Chinese, and in English on request."""

import io
import math
import os
import re
import struct
import wave
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services import storage
from services.api.app import create_app
from services.config import get_settings
from services.db import utcnow
from services.i18n import N_, stored
from services.qa.evaluations.tables import Evaluation
from services.qa.reviews.tables import HitVerdict, Review
from services.qa.sampling.due import due_at
from tests import factories

FORBIDDEN_NAME = {"zh_CN": "使用服务忌语", "en": "Forbidden phrase"}
# A call with two machine hits: a forbidden phrase at 11.5 s and abuse (a red line) at 18 s.
TWO_HITS = [
    *factories.FORBIDDEN[:4],
    ("agent", 18.0, 21.0, "你有病吧，说了多少遍"),
    ("customer", 21.5, 22.5, "什么"),
    ("agent", 23.0, 28.0, "感谢您的来电，祝您生活愉快，再见"),
]


def _wav(seconds: float) -> bytes:
    """A quiet tone the browser can play and seek in."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(800 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return out.getvalue()


class Desk:
    """An inspector, a team lead, two agents of one team, and a call of each agent waiting
    for the inspector's review (the first agent's call with two hits)."""

    def __init__(self, db_session: Any) -> None:
        self.team = factories.unique("web-team")
        self.inspector, token = factories.user(db_session, "inspector", team="qa-desk")
        self.api = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})
        self.lead, _ = factories.user(db_session, "team_lead", team=self.team)
        self.agent, _ = factories.user(db_session, "agent", agent_id=factories.unique("A"),
                                       team=self.team)  # fmt: skip
        self.other, _ = factories.user(db_session, "agent", agent_id=factories.unique("B"),
                                       team=self.team)  # fmt: skip
        self.call = factories.scored_call(
            db_session, lines=TWO_HITS, agent_id=self.agent.agent_id, team=self.team
        )
        self.other_call = factories.scored_call(
            db_session, agent_id=self.other.agent_id, team=self.team
        )
        audio = _wav(29)
        for call in (self.call, self.other_call):
            # The recording and its bleeped copy (which roles without PII rights hear).
            for key in {call.object_key, call.redacted_key} - {None}:
                storage.put_bytes(bucket=get_settings().bucket, key=key, data=audio,
                                  content_type="audio/wav")  # fmt: skip
        # The risky call is due in two days; the random one was due yesterday (overdue).
        # Why each was picked, kept as sampling keeps it: a Message, read in each reader's language.
        flagged = N_("flagged: {reasons}", reasons=[
            N_("{name} ({rule})", name=FORBIDDEN_NAME, rule="forbidden_phrase"),
            N_("red line: {name} ({rule})", name="辱骂客户", rule="abuse"),
        ])  # fmt: skip
        self.review = Review(call_id=self.call.id, inspector_id=self.inspector.id, priority=0,
                             reason=stored(flagged), due_at=due_at(utcnow(), 2))  # fmt: skip
        randomly = N_("random, slot {slot} of {wanted} of the period", slot=1, wanted=4)
        later = Review(call_id=self.other_call.id, inspector_id=self.inspector.id, priority=1,
                       reason=stored(randomly), due_at=due_at(utcnow(), -1))  # fmt: skip
        db_session.add_all([self.review, later])
        db_session.commit()


@pytest.fixture
def desk(db_session) -> Desk:
    return Desk(db_session)


def snap(page: Any, name: str) -> None:
    """With ZHIJIAN_SCREENSHOTS=DIR, the page as a PNG there (the README's pictures)."""
    folder = os.environ.get("ZHIJIAN_SCREENSHOTS")
    if folder:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def player_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def wait_for_audio(page: Any) -> None:
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")


def test_an_inspector_reviews_a_call_in_the_browser(desk, web_url, chromium, db_session) -> None:
    page = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page.goto(f"{web_url}/reviews")
    assert "/login" in page.url  # not signed in yet
    snap(page, "login")
    sign_in(page, web_url, desk.inspector.username)
    assert page.url.endswith("/reviews")
    assert page.inner_text("h1") == "质检队列"
    assert page.inner_text("#count-open") == "2" and page.inner_text("#count-risky") == "1"
    assert page.inner_text("#count-overdue") == "1"
    late = page.locator("tbody tr.overdue")
    assert late.count() == 1 and late.get_attribute("data-review") != str(desk.review.id)
    assert "已逾期" in late.inner_text()
    snap(page, "queue")
    first = page.locator("tbody tr").first
    assert "已标记：使用服务忌语（forbidden_phrase）" in first.inner_text()  # why, risky first
    first.locator("a.open-review").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/reviews/{desk.review.id}")
    wait_for_audio(page)

    # A click on a turn seeks there; the turn is highlighted.
    turn = page.locator("#transcript .turn").nth(2)
    turn.click()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 11.5) < 0.5"
    )
    highlighted = page.wait_for_selector("#transcript .turn.current")
    assert highlighted is not None
    assert highlighted.get_attribute("id") == turn.get_attribute("id")

    # Playing (space bar) moves the highlight along with the audio.
    page.locator("h1").click()
    page.keyboard.press(" ")
    page.wait_for_function("() => document.getElementById('player').currentTime > 12.2")
    page.keyboard.press(" ")
    assert page.evaluate("document.getElementById('player').paused")
    current = page.locator("#transcript .turn.current")
    assert current.count() == 1
    start, end = (float(current.get_attribute(a) or 0) for a in ("data-start", "data-end"))
    assert start <= player_time(page) < end  # the highlighted turn is the one playing

    # A hit's button jumps to its evidence.
    hits = page.locator(".scorecard .hit[data-hit]")
    assert hits.count() == 2
    hits.nth(1).locator("button.seek").click()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 18) < 0.5"
    )
    assert abs(player_time(page) - 18.0) < 0.5

    # Without the mouse: j goes to a hit (and its time), c confirms it, r rejects it and
    # asks for the reason.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 11.5) < 0.5"
    )
    page.keyboard.press("c")
    assert hits.nth(0).locator("input[value=confirm]").is_checked()
    page.keyboard.press("j")
    page.keyboard.press("r")
    assert hits.nth(1).locator("input[value=reject]").is_checked()
    page.keyboard.type("客户在说话，不是坐席")
    assert hits.nth(1).locator("input.note").input_value() == "客户在说话，不是坐席"
    page.fill("input[name=earned-solution]", "15")
    page.fill("input[name=earned-attitude]", "8")
    page.fill("textarea[name=comment]", "<script>alert(1)</script> 一起听 0:12")
    page.check("input[name=release]")
    snap(page, "review")
    page.click("#submit")
    page.wait_for_load_state()
    assert "/evaluations/" in page.url
    assert "<script>alert(1)</script>" in page.inner_text("blockquote.comment")

    evaluation = db_session.scalars(
        select(Evaluation).where(Evaluation.review_id == desk.review.id)
    ).one()
    verdicts = {
        v.rule_id: v.confirmed
        for v in db_session.scalars(
            select(HitVerdict).where(HitVerdict.review_id == desk.review.id)
        )
    }
    assert verdicts == {"forbidden_phrase": True, "abusive_language": False}
    shown = desk.api.get(f"/api/v1/evaluations/{evaluation.id}").json()
    assert shown["released_at"] is not None and shown["comment"].startswith("<script>")
    precision = desk.api.get("/api/v1/rules/abusive_language/precision").json()
    assert precision["rejected"] >= 1 and precision["reviewed"] >= 1
    page.close()


def _released(desk: Desk) -> dict[str, Any]:
    return factories.submit_review(desk.api, desk.review.id, confirm=True, release=True)


def test_the_agent_disputes_and_the_lead_decides(desk, web_url, chromium) -> None:
    evaluation = _released(desk)
    agent = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    sign_in(agent, web_url, desk.agent.username)
    assert agent.url.endswith("/my")
    calls = agent.locator("tr[data-call]")
    assert calls.count() == 1 and calls.first.get_attribute("data-call") == str(desk.call.id)
    missing = agent.goto(f"{web_url}/calls/{desk.other_call.id}")
    assert missing is not None and missing.status == 404

    agent.goto(f"{web_url}/evaluations/{evaluation['id']}")
    wait_for_audio(agent)
    agent.locator("#item-forbidden button.seek").click()
    agent.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 11.5) < 0.5"
    )
    assert agent.locator("#deadline .countdown").inner_text()  # the window counts down

    # A form that lost its CSRF token is refused, and nothing is disputed.
    form = agent.locator("#item-forbidden form.dispute")
    form.locator("input[name=reason]").fill("没有 token")
    form.evaluate("f => f.querySelector('input[name=csrf_token]').remove()")
    form.locator("button").click()
    agent.wait_for_load_state()
    assert "表单已过期" in agent.inner_text("#error-detail")

    agent.goto(f"{web_url}/evaluations/{evaluation['id']}")
    form = agent.locator("#item-forbidden form.dispute")
    form.locator("input[name=reason]").fill("我是在转接，不是推诿")
    form.locator("button").click()
    agent.wait_for_load_state()
    assert "待处理" in agent.inner_text("ul.disputes")
    snap(agent, "evaluation")

    lead = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    sign_in(lead, web_url, desk.lead.username)
    assert lead.url.endswith("/disputes")
    lead.locator("table.disputes a").first.click()
    lead.wait_for_load_state()
    assert "我是在转接" in lead.inner_text("#agent-reason")
    snap(lead, "dispute")
    lead.fill("textarea[name=comment]", "录音证实是转接")
    lead.click("#overturn")
    lead.wait_for_load_state()
    assert "已改判" in lead.inner_text("#status")

    agent.goto(f"{web_url}/evaluations/{evaluation['id']}")
    assert "已改判" in agent.inner_text("ul.disputes")
    agent.goto(f"{web_url}/my")
    assert agent.locator("#ladder").is_visible()
    snap(agent, "my-calls")
    agent.close()
    lead.close()


def test_the_pages_in_english(desk, web_url, chromium) -> None:
    page = chromium.new_page(locale="en-US", extra_http_headers={"Accept-Language": "en-US"})
    page.goto(f"{web_url}/login")
    assert page.inner_text("h1") == "Sign in"
    sign_in(page, web_url, desk.inspector.username)
    assert page.inner_text("h1") == "Review queue"
    page.goto(f"{web_url}/reviews/{desk.review.id}")
    labels = (
        page.inner_text(".scorecard legend") + page.inner_text("header") + page.inner_text(".keys")
    )
    assert "Keys:" in labels
    chrome = (
        page.inner_text("header nav") + page.inner_text(".actions") + page.inner_text(".legend")
    )
    assert not re.search(r"[\u4e00-\u9fff]", chrome), chrome
    # The reader's own choice wins over the browser's language.
    page.click("header button[value=zh_CN]")
    page.wait_for_load_state()
    assert page.inner_text(".actions").replace(" ", "") in ("保存\n提交", "保存提交")
    page.goto(f"{web_url}/reviews")
    assert page.inner_text("h1") == "质检队列"
    page.close()


def test_a_qa_manager_creates_people_an_area_and_a_plan_and_runs_it(
    web_url, chromium, db_session
) -> None:
    from tests.floor import WEEK

    team = factories.unique("web-plan-team")
    manager, _token = factories.user(db_session, "qa_manager")
    calls = [
        factories.scored_call(
            db_session,
            agent_id=f"{team}-A",
            team=team,
            queue="web-q",
            started_at=WEEK + timedelta(days=day),
        )
        for day in (0, 1)
    ]
    db_session.commit()
    inspector = factories.unique("mei")

    page = chromium.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    sign_in(page, web_url, manager.username)
    page.goto(f"{web_url}/manage")
    assert page.inner_text("h1") == "人员与抽样"
    form = page.locator("#new-user")
    form.locator("input[name=username]").fill(inspector)
    form.locator("select[name=role]").select_option("inspector")
    form.locator("input[name=password]").fill("a long enough password")
    form.locator("input[name=team]").fill("qa-desk")
    form.locator("button").click()
    page.wait_for_load_state()
    assert inspector in page.inner_text("#done")

    form = page.locator("#new-area")
    form.locator("input[name=name]").fill(f"{team} 区域")
    form.locator("input[name=teams]").fill(team)
    form.locator("button").click()
    page.wait_for_load_state()
    assert f"{team} 区域" in page.inner_text("ul.areas")

    form = page.locator("#new-plan")
    form.locator("input[name=name]").fill(f"{team} 周抽样")
    form.locator("input[name=teams]").fill(team)
    form.locator("button").click()
    page.wait_for_load_state()
    plan = page.locator(".plan", has_text=f"{team} 周抽样")
    plan.locator("input[name=at]").fill(WEEK.date().isoformat())
    plan.locator("button.dry-run").click()
    page.wait_for_load_state()
    tried = page.inner_text("#tried")
    assert all(f"#{c.id}" in tried for c in calls)
    snap(page, "manage")

    plan = page.locator(".plan", has_text=f"{team} 周抽样")
    plan.locator("button.run").click()
    page.wait_for_load_state()
    assert page.url.endswith("/reviews")
    queued = page.inner_text("table.queue")
    assert all(f"#{c.id}" in queued for c in calls)
    page.close()
