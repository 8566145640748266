"""The training lead's page without a browser: training needs with their evidence links, the
charts it embeds (drawn by the report endpoints, read with the page's session), the coaching
effect, in Chinese; an agent sees only their own row and no coachings."""

import html
import re

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.reports import coachings
from tests import factories
from tests.reports.seed_coaching import RULE, CoachedCenter, seed_coached_center
from tests.web.signin import sign_in


@pytest.fixture(scope="module")
def center() -> CoachedCenter:
    """Two teams of six agents around a coaching week, folded into the rollups."""
    from services.db import session_scope
    from services.reports import rollup

    with session_scope() as db_session:
        center = seed_coached_center(db_session)
        rollup.catch_up(db_session)
    return center


@pytest.fixture
def browser():
    with TestClient(create_app(), headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as client:
        yield client


def _row(page: str, attribute: str, value: str) -> str:
    found = re.search(rf'<tr {attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, page
    return found.group(1)


def test_the_training_lead_sees_needs_charts_and_coaching_effect(
    db_session, browser, center
) -> None:
    lead, _token = factories.user(db_session, "training_lead")
    coached = [f"{center.team_a}0", f"{center.team_a}1"]
    made = coachings.record(
        db_session,
        _principal(lead),
        coached_on=center.coached_on,
        agent_ids=coached,
        rule_ids=[RULE],
    )
    db_session.commit()
    sign_in(browser, lead.username)
    span = f"first={center.first}&last={center.last}"
    answer = browser.get(f"/training?{span}&dimension=team")
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "培训需求" in page and "辅导效果" in page and "Training needs" not in page
    row = _row(page, 'data-rule="R1-greeting" data-group', center.team_a)
    assert "738 / 1,890" in row or "738 / 1890" in row
    evidence = html.unescape(re.search(r'href="(/api/v1/reports/evidence[^"]+)"', row).group(1))
    hits = browser.get(evidence).json()["hits"]
    assert hits and {h["team"] for h in hits} == {center.team_a}
    effect = _row(page, "data-coaching", str(made.id))
    assert "-33.3%" in effect and ", ".join(coached) in effect
    charts = re.findall(r'<img class="chart"[^>]*src="([^"]+)"', page)
    assert len(charts) == 2
    for src in charts:
        image = browser.get(html.unescape(src))
        assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg")
    for link in re.findall(r'href="(/api/v1/reports/[^"]+format=xlsx)"', page):
        assert browser.get(html.unescape(link)).content.startswith(b"PK")  # a zip: XLSX


def test_an_agent_sees_their_own_row_and_no_coachings(db_session, browser, center) -> None:
    me = f"{center.team_b}2"
    agent, _token = factories.user(db_session, "agent", agent_id=me, team=center.team_b)
    db_session.commit()
    sign_in(browser, agent.username)
    page = browser.get(f"/training?first={center.first}&last={center.last}&dimension=agent").text
    groups = set(re.findall(r'data-group="([^"]+)"', page))
    assert groups == {me}
    assert "辅导效果" not in page


def _principal(user):
    from services.people.service import Principal

    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        team=None,
        agent_id=None,
        area_ids=(),
        via="token",
    )


def test_an_agents_page_shows_their_own_weeks(db_session, browser) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from services.calls.tables import Call
    from services.scoring.tables import CallScore, RuleHit, RuleStatus
    from tests.reports.seed_coaching import call_row, hit_row, score_row, status_row

    me = factories.unique("trend-agent")
    agent, _token = factories.user(db_session, "agent", agent_id=me, team="trend-team")
    started = datetime.now(UTC) - timedelta(minutes=5)
    for violated in (True, False):
        call_id = db_session.scalars(
            insert(Call).returning(Call.id), [call_row(me, "trend-team", started)]
        ).one()
        db_session.execute(insert(CallScore), [score_row(call_id, violated)])
        db_session.execute(insert(RuleStatus), [status_row(call_id, violated)])
        if violated:
            db_session.execute(insert(RuleHit), [hit_row(call_id)])
    db_session.commit()
    sign_in(browser, agent.username)
    page = browser.get("/my").text
    rows = re.findall(r'<tr data-week="[^"]+"><td>[^<]+</td>(.*?)</tr>', page)
    assert rows == ["<td>2</td><td>75</td><td>50%</td>"]


def test_a_period_without_enough_calls_says_so_instead_of_a_broken_chart(db_session, browser):
    lead, _token = factories.user(db_session, "training_lead")
    db_session.commit()
    sign_in(browser, lead.username)
    page = browser.get("/training?first=1999-01-04&last=1999-01-31").text
    assert "此期间没有已评分的通话。" in page
    assert not re.findall(r'<img class="chart"', page)
    assert "控制图至少需要两个周期的通话数据" in page
