"""The managers' pages beyond sampling: people, teams and areas to deactivate and activate
again, the rotation plan, rule packs (names in the reader's language, self-tests, validating an
upload), and the reader's language kept on the user."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.audit.tables import AuditEntry
from services.people import service as people_service
from services.people.tables import Team, User
from tests import factories
from tests.web.signin import sign_in

BAD_PACK = "pack: broken\nname: Broken\nlanguage: en\nrules:\n  - id: x\n"
GOOD_PACK = """pack: tiny
name: Tiny
language: en
rules:
  - id: rude
    name: {en: "Rude word", zh_CN: "粗鲁用语"}
    about: agent
    category: courtesy
    severity: major
    when: {keyword: {any: [stupid], role: agent}}
    tests:
      hit: ["agent: that is a stupid question"]
      miss: ["agent: good question"]
"""


@pytest.fixture
def browser():
    with TestClient(create_app(), headers={"Accept-Language": "en-US,en;q=0.9"}) as client:
        yield client


@pytest.fixture
def staff(db_session):
    """A QA manager, two inspectors (one watching an area), an agent, a team and an area."""
    manager, _token = factories.user(db_session, "qa_manager")
    watcher, _token = factories.user(db_session, "inspector", team="qa-desk")
    other, _token = factories.user(db_session, "inspector", team="qa-desk-2")
    agent, _token = factories.user(db_session, "agent", agent_id=factories.unique("AG"))
    team = Team(name=factories.unique("team"))
    db_session.add(team)
    area = people_service.create_area(
        db_session=db_session, name=factories.unique("area"), queues=["q1"], teams=[team.name]
    )
    people_service.assign_areas(db_session=db_session, user=watcher, area_ids=[area.id])
    db_session.flush()
    return {"manager": manager, "watcher": watcher, "other": other, "agent": agent,
            "team": team, "area": area}  # fmt: skip


def _row(page: str, marker: str) -> str:
    row = page[page.index(marker) :]
    return row[: row.index("</tr>")]


def test_the_people_page_lists_everyone_and_who_watches_each_area(staff, browser) -> None:
    sign_in(browser, staff["manager"].username)
    assert 'href="/people"' in browser.get("/manage").text
    page = browser.get("/people").text
    assert f'data-user="{staff["agent"].username}"' in page
    assert f'data-team="{staff["team"].name}"' in page
    area = _row(page, f'data-area="{staff["area"].name}"')
    assert staff["watcher"].username in area and staff["other"].username not in area


def test_a_manager_deactivates_and_reactivates_a_person(staff, browser, db_session) -> None:
    token = sign_in(browser, staff["manager"].username)
    agent = staff["agent"]
    off = browser.post(f"/people/users/{agent.id}/active", data={"csrf_token": token,
                                                               "active": "off"})  # fmt: skip
    assert off.status_code == 200 and 'id="done"' in off.text
    assert "inactive" in _row(off.text, f'data-user="{agent.username}"')
    db_session.refresh(agent)
    assert agent.active is False
    event = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.deactivate").order_by(AuditEntry.id)
    ).all()[-1]
    assert event.detail["user"] == agent.username
    browser.post(f"/people/users/{agent.id}/active", data={"csrf_token": token, "active": "on"})
    db_session.refresh(agent)
    assert agent.active is True


def test_a_manager_deactivates_an_area_and_a_team(staff, browser, db_session) -> None:
    token = sign_in(browser, staff["manager"].username)
    area, team = staff["area"], staff["team"]
    page = browser.post(f"/people/areas/{area.id}/active", data={"csrf_token": token,
                                                                "active": "off"}).text  # fmt: skip
    assert staff["watcher"].username not in _row(page, f'data-area="{area.name}"')
    browser.post(f"/people/teams/{team.id}/active", data={"csrf_token": token, "active": "off"})
    db_session.refresh(area)
    db_session.refresh(team)
    assert area.active is False and team.active is False


def test_people_pages_refuse_others_and_forms_without_the_token(staff, browser, db_session) -> None:
    token = sign_in(browser, staff["watcher"].username)
    assert browser.get("/people").status_code == 403
    agent = staff["agent"]
    refused = browser.post(f"/people/users/{agent.id}/active", data={"csrf_token": token,
                                                                   "active": "off"})  # fmt: skip
    assert refused.status_code == 403
    sign_in(browser, staff["manager"].username)
    no_token = browser.post(f"/people/users/{agent.id}/active", data={"active": "off"})
    assert no_token.status_code == 403
    missing = browser.post("/people/users/999999999/active", data={"csrf_token": token})
    assert missing.status_code in (403, 422)  # the old session's token is not this one's
    db_session.refresh(agent)
    assert agent.active is True


def test_a_manager_cannot_deactivate_themselves_or_an_unknown_person(staff, browser) -> None:
    token = sign_in(browser, staff["manager"].username)
    me = staff["manager"].id
    itself = browser.post(f"/people/users/{me}/active", data={"csrf_token": token, "active": "off"})
    assert itself.status_code == 409
    missing = browser.post("/people/users/999999999/active",
                           data={"csrf_token": token, "active": "off"})  # fmt: skip
    assert missing.status_code == 404


def test_a_manager_plans_a_rotation_week_and_sees_who_watches_which_area(
    staff, browser, db_session
) -> None:
    token = sign_in(browser, staff["manager"].username)
    page = browser.get("/rotation").text
    suggested = re.search(r'name="start" value="([\d-]+)"', page)
    assert suggested is not None
    planned = browser.post("/rotation", data={"csrf_token": token, "start": "2031-03-03"})
    assert planned.status_code == 200
    row = _row(planned.text, f'data-area="{staff["area"].name}"')
    inspector = re.search(r'class="inspector">([^<]+)<', row)
    assert inspector is not None
    # Nobody keeps an area: the watcher hands it to the other inspector.
    assert inspector.group(1) == staff["other"].username
    bad = browser.post("/rotation", data={"csrf_token": token, "start": "next monday"})
    assert bad.status_code == 422 and "next monday" in bad.text


def test_inspectors_read_the_rotation_but_only_managers_plan_it(staff, browser) -> None:
    token = sign_in(browser, staff["watcher"].username)
    page = browser.get("/rotation")
    assert page.status_code == 200 and 'id="plan-rotation"' not in page.text
    refused = browser.post("/rotation", data={"csrf_token": token, "start": "2031-03-03"})
    assert refused.status_code == 403
    sign_in(browser, staff["manager"].username)
    no_token = browser.post("/rotation", data={"start": "2031-03-03"})
    assert no_token.status_code == 403 and 'id="period-' not in browser.get("/rotation").text
    sign_in(browser, staff["agent"].username)
    assert browser.get("/rotation").status_code == 403


def test_rule_names_follow_the_readers_language_with_each_packs_self_test(staff, browser) -> None:
    sign_in(browser, staff["manager"].username)
    english = browser.get("/rules").text
    assert "No standard greeting" in _row(english, 'data-rule="greeting"')
    assert re.search(r"Self-test: (\d+) of \1 test cases pass", english)
    chinese = browser.get("/rules", headers={"Accept-Language": "zh-CN"}).text
    assert "未使用标准开场白" in _row(chinese, 'data-rule="greeting"')


def test_an_uploaded_pack_is_validated_and_its_errors_shown(staff, browser) -> None:
    token = sign_in(browser, staff["manager"].username)
    upload = {"pack_file": ("tiny.yaml", GOOD_PACK.encode(), "text/yaml")}
    good = browser.post("/rules/validate", data={"csrf_token": token}, files=upload)
    assert good.status_code == 200
    assert "The pack tiny is valid: 2 test cases pass" in good.text
    bad = browser.post("/rules/validate", data={"csrf_token": token, "pack_text": BAD_PACK})
    assert bad.status_code == 422 and 'id="verdict"' in bad.text
    verdict = bad.text[
        bad.text.index('id="verdict"') : bad.text.index("</div>", bad.text.index('id="verdict"'))
    ]
    assert "The pack is not valid" in verdict and "<li>" in verdict
    failing = GOOD_PACK.replace('miss: ["agent: good question"]', 'miss: ["agent: stupid"]')
    tested = browser.post("/rules/validate", data={"csrf_token": token, "pack_text": failing})
    assert tested.status_code == 422 and "expected miss, got hit" in tested.text


def test_only_managers_validate_packs(staff, browser) -> None:
    token = sign_in(browser, staff["watcher"].username)
    assert 'id="validate-pack"' not in browser.get("/rules").text
    refused = browser.post("/rules/validate", data={"csrf_token": token, "pack_text": GOOD_PACK})
    assert refused.status_code == 403
    sign_in(browser, staff["manager"].username)
    assert browser.post("/rules/validate", data={"pack_text": GOOD_PACK}).status_code == 403


def test_the_language_switch_is_kept_on_the_user(staff, browser, db_session) -> None:
    agent = staff["agent"]
    token = sign_in(browser, agent.username)
    switched = browser.post("/language", data={"csrf_token": token, "language": "zh_CN"})
    assert switched.status_code == 200
    db_session.refresh(agent)
    assert agent.language == "zh_CN"
    # Another browser, English by its headers and without the cookie, follows the user.
    with TestClient(create_app(), headers={"Accept-Language": "en"}) as elsewhere:
        assert "登录" not in elsewhere.get("/login").text
        sign_in(elsewhere, agent.username)
        assert "退出" in elsewhere.get("/my").text
        assert elsewhere.cookies.get("zhijian_language") == "zh_CN"


def test_a_user_without_a_language_reads_the_browsers(staff, browser, db_session) -> None:
    user = db_session.get(User, staff["agent"].id)
    assert user is not None and user.language is None
    sign_in(browser, user.username)
    assert "Sign out" in browser.get("/my").text
    assert "退出" in browser.get("/my", headers={"Accept-Language": "zh-CN"}).text
