"""The calibration pages without a browser: a QA manager creates a session from the form; a
participant sees their sessions and scores a call blind on the review's form (no agent, no
team, the audio by its place in the session); after the reveal every answer stands next to the
gold with the disagreements marked and each participant's deviation; agents see none of it."""

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from tests import floor
from tests.calibration.api import CALLS, Desk, answer, hits, submit
from tests.web.signin import sign_in


@pytest.fixture(scope="module")
def desk(module_db):
    return Desk(floor.build(team="web-calib"), inspectors=2)


def _browser(username: str, language: str = "en") -> tuple[TestClient, str]:
    client = TestClient(create_app(), headers={"Accept-Language": language})
    return client, sign_in(client, username)


def test_a_manager_creates_a_session_from_the_form(desk):
    page, csrf = _browser(desk.floor.manager_name)
    deadline = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    made = page.post(
        "/calibration",
        data={
            "csrf_token": csrf,
            "title": "form <session>",
            "calls": ", ".join(str(desk.floor.calls[n]) for n in CALLS[:3]),
            "inspectors": ",".join(desk.inspectors),
            "expert": desk.expert,
            "deadline": deadline,
            "tolerance": "5",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    shown = page.get(made.headers["location"])
    assert "form &lt;session&gt;" in shown.text and desk.expert in shown.text
    assert f"(#{desk.floor.calls['first']})" in shown.text  # managers see which call it is
    assert 'id="reveal"' in shown.text
    listed = page.get("/calibration")
    assert 'id="new-session"' in listed.text and "form &lt;session&gt;" in listed.text

    bad = page.post("/calibration", data={"csrf_token": csrf, "title": "x", "calls": "1,2",
                    "inspectors": "", "deadline": "soon"})  # fmt: skip
    assert bad.status_code == 422
    huge = page.post("/calibration", data={"csrf_token": csrf, "title": "x", "deadline": deadline,
                     "calls": "1,2,99999999999999999999", "inspectors": "a,b"})  # fmt: skip
    assert huge.status_code == 422 and "call ids are positive integers" in huge.text


def test_a_participant_scores_blind_then_sees_the_comparison(desk):
    sid = desk.session()["id"]
    me = desk.inspectors[0]
    page, csrf = _browser(me)
    assert f'href="/calibration/{sid}"' in page.get("/calibration").text
    assert 'id="new-session"' not in page.get("/calibration").text

    form = page.get(f"/calibration/{sid}/calls/1")
    assert form.status_code == 200
    assert desk.floor.agent_id not in form.text and "web-calib" not in form.text
    assert f"/api/v1/calibration/sessions/{sid}/calls/1/audio/stream?" in form.text
    hit_ids = hits(desk.clients[me], sid, 1)
    data = {"csrf_token": csrf, "earned-solution": "5", "earned-attitude": "8"}
    data |= {f"hit-{h}": "confirm" for h in hit_ids}
    saved = page.post(f"/calibration/{sid}/calls/1", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    mine = desk.clients[me].get(f"/api/v1/calibration/sessions/{sid}/calls/1/answers/me").json()
    assert [i["earned"] for i in mine["items"] if i["id"] in ("solution", "attitude")] == [5, 8]
    before = page.get(f"/calibration/{sid}")
    assert 'id="deviation"' not in before.text and 'id="submit-answers"' in before.text

    for position in range(1, 5):
        for name in (desk.expert, *desk.inspectors):
            if (name, position) != (me, 1):
                answer(desk.clients[name], sid, position, solution=12, attitude=8)
    for name in (desk.expert, desk.inspectors[1]):
        submit(desk.clients[name], sid)
    done = page.post(f"/calibration/{sid}/submit", data={"csrf_token": csrf},
                     follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    after = page.get(f"/calibration/{sid}").text
    assert 'id="deviation"' in after and "revealed" in after
    assert 'class="disagree" data-item="solution"' in after  # 5 against the gold's 12
    assert '<td class="differs">5</td>' in after  # my answer, coloured
    assert "-7 (-5.8%)" in after  # my deviation on call 1, inside the ±10 % tolerance
    assert "outside tolerance" not in after


def test_agents_see_no_calibration_and_the_labels_are_chinese(desk):
    sid = desk.session()["id"]
    agent, _ = _browser(desk.floor.agent_name)
    assert agent.get("/calibration").status_code == 403
    assert agent.get(f"/calibration/{sid}").status_code == 404
    outsider, _ = _browser(desk.floor.inspector_name)
    assert outsider.get(f"/calibration/{sid}/calls/1").status_code == 404
    assert outsider.get(f"/calibration/{sid}/calls/99999999999").status_code == 422
    chinese, _ = _browser(desk.inspectors[1], "zh-CN,zh;q=0.9")
    page = chinese.get(f"/calibration/{sid}").text
    assert "校准" in page and "提交我的答案" in page
