"""The pages without a browser: sign-in, sessions, CSRF, authorisation, escaping, headers and
the language, on a QA floor of this module."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from services.api.app import create_app
from services.db import utcnow
from services.people.tables import BrowserSession
from tests import floor
from tests.web.signin import csrf_of, sign_in


@pytest.fixture(scope="module")
def place(module_db):
    return floor.build(team="web-pages")


@pytest.fixture
def browser():
    # The tests run with ZHIJIAN_DEFAULT_LANGUAGE=en: a Chinese browser says so, as most do.
    with TestClient(create_app(), headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as client:
        yield client


def test_sign_in_page_is_chinese_to_a_chinese_browser_and_english_on_request(browser) -> None:
    chinese = browser.get("/login")
    english = browser.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert chinese.status_code == 200
    assert "登录" in chinese.text and "Sign in" not in chinese.text
    assert "Sign in" in english.text and "登录" not in english.text


def test_pages_send_a_strict_content_security_policy(browser) -> None:
    answer = browser.get("/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"


def test_a_page_without_a_session_sends_to_sign_in(browser) -> None:
    answer = browser.get("/reviews", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Freviews"


def test_wrong_password_is_refused_on_the_page(place, browser) -> None:
    form = browser.get("/login")
    answer = browser.post(
        "/login",
        data={
            "username": place.agent_name,
            "password": "wrong password!",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert answer.status_code == 400
    assert "用户名或密码错误" in answer.text
    assert "zhijian_session" not in browser.cookies


def test_sign_in_without_the_forms_token_is_refused(place, browser) -> None:
    browser.get("/login")
    answer = browser.post(
        "/login", data={"username": place.agent_name, "password": "correct horse battery"}
    )
    assert answer.status_code == 403
    assert "zhijian_session" not in browser.cookies


def test_a_form_without_the_csrf_token_is_refused(place, browser) -> None:
    sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["first"]]
    refused = browser.post(f"/reviews/{review_id}", data={"comment": "no token", "action": "save"})
    assert refused.status_code == 403
    assert "表单已过期" in refused.text
    page = browser.get(f"/reviews/{review_id}")
    assert "no token" not in page.text


def test_an_expired_session_sends_back_to_sign_in(place, browser, db_session) -> None:
    sign_in(browser, place.agent_name)
    assert browser.get("/my").status_code == 200
    db_session.execute(update(BrowserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db_session.flush()
    answer = browser.get("/my", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_an_agent_cannot_open_another_agents_call_page(place, browser) -> None:
    sign_in(browser, place.agent_name)
    own = browser.get(f"/calls/{place.calls['first']}")
    other = browser.get(f"/calls/{place.calls['red']}")
    assert own.status_code == 200 and place.agent_id in own.text
    assert other.status_code == 404
    assert place.other_agent_id not in other.text


def test_an_agent_sees_only_their_calls(place, browser) -> None:
    sign_in(browser, place.agent_name)
    page = browser.get("/my").text
    mine = {place.calls[n] for n in ("first", "second", "third")}
    theirs = {place.calls[n] for n in ("red", "misheard", "lapse")}
    assert all(f'data-call="{c}"' in page for c in mine)
    assert not any(f'data-call="{c}"' in page for c in theirs)


def test_an_agent_has_no_review_queue(place, browser) -> None:
    sign_in(browser, place.agent_name)
    assert browser.get("/reviews").status_code == 403
    review_id = place.reviews[place.calls["first"]]
    assert browser.get(f"/reviews/{review_id}").status_code == 403


def test_another_inspector_does_not_find_the_review(place, browser) -> None:
    sign_in(browser, place.stranger_name)
    review_id = place.reviews[place.calls["first"]]
    assert browser.get(f"/reviews/{review_id}").status_code == 404


def test_a_script_in_a_comment_is_shown_as_text(place, browser) -> None:
    token = sign_in(browser, place.inspector_name)
    review_id = place.reviews[place.calls["second"]]
    payload = "<script>alert('x')</script>"
    saved = browser.post(
        f"/reviews/{review_id}",
        data={"csrf_token": token, "comment": payload, "action": "save"},
    )
    assert saved.status_code == 200
    assert payload not in saved.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in saved.text


def test_the_queue_lists_risky_calls_first_with_why(place, browser) -> None:
    sign_in(browser, place.inspector_name)
    page = browser.get("/reviews").text
    assert "质检队列" in page
    positions = [page.index(f'data-review="{place.reviews[c]}"') for c in place.calls.values()]
    assert len(positions) == 6
    assert 'id="count-open">6<' in page


def test_calls_filter_by_team_and_agent_as_the_api_would(place, browser) -> None:
    sign_in(browser, place.manager_name)
    page = browser.get(
        "/calls", params={"team": place.team, "agent": place.other_agent_id, "flagged": ""}
    )
    assert page.status_code == 200
    theirs = {place.calls[n] for n in ("red", "misheard", "lapse")}
    shown = {int(c) for c in re.findall(r'data-call="(\d+)"', page.text)}
    assert shown == theirs
    assert browser.get("/calls", params={"start": "not a date"}).status_code == 422


def test_a_team_lead_of_another_team_sees_none_of_its_calls(place, browser) -> None:
    sign_in(browser, place.other_lead_name)
    page = browser.get("/calls", params={"team": place.team, "flagged": ""})
    assert 'data-call="' not in page.text
    assert browser.get(f"/calls/{place.calls['first']}").status_code == 404


def test_signing_out_ends_the_session(place, browser) -> None:
    token = sign_in(browser, place.agent_name)
    out = browser.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert browser.get("/my", follow_redirects=False).status_code == 303


def test_the_workspace_says_which_ladder_step_the_review_would_reach(place, browser) -> None:
    sign_in(browser, place.inspector_name)
    page = browser.get(f"/reviews/{place.reviews[place.calls['third']]}").text
    preview = page[page.index('id="ladder-preview"') :]
    preview = preview[: preview.index("</ul>")]
    assert "服务忌语" in preview  # the forbidden phrase, confirmed unless rejected
    assert any(tier in preview for tier in ("提醒", "警告", "扣分", "严重处分"))


def test_only_managers_reach_people_and_sampling(place, browser) -> None:
    token = sign_in(browser, place.inspector_name)
    assert browser.get("/manage").status_code == 403
    refused = browser.post(
        "/manage/users", data={"csrf_token": token, "username": "sneaky", "role": "admin"}
    )
    assert refused.status_code == 403


def test_a_team_lead_sees_the_teams_ladder(place, browser) -> None:
    sign_in(browser, place.lead_name)
    page = browser.get("/my").text
    assert "班组处分阶梯" in page
    assert f'data-agent="{place.agent_id}"' in page
    assert f'data-agent="{place.other_agent_id}"' in page
    sign_in(browser, place.other_lead_name)
    assert f'data-agent="{place.agent_id}"' not in browser.get("/my").text


def test_rule_packs_show_each_rules_precision(place, browser) -> None:
    place.review("misheard", confirm=False)  # the forbidden phrase, rejected once
    sign_in(browser, place.manager_name)
    page = browser.get("/rules").text
    row = page[page.index('data-rule="forbidden_phrase"') :]
    row = row[: row.index("</tr>")]
    judged = re.search(r'class="judged">(\d+) / (\d+)<', row)
    assert judged is not None
    confirmed, reviewed = int(judged.group(1)), int(judged.group(2))
    api = place.manager.get("/api/v1/rules/forbidden_phrase/precision").json()
    assert (confirmed, reviewed) == (api["confirmed"], api["reviewed"]) and reviewed >= 1
    sign_in(browser, place.agent_name)
    assert browser.get("/rules").status_code == 403


def test_the_session_cookie_is_httponly_samesite_and_secure_in_production(
    place, browser, monkeypatch
) -> None:
    from services.config import get_settings

    form = browser.get("/login")  # over plain HTTP here: its cookie must come back
    monkeypatch.setattr(get_settings(), "cookie_secure", True)
    answer = browser.post(
        "/login",
        data={
            "username": place.agent_name,
            "password": "correct horse battery",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("zhijian_session=")
    )
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
