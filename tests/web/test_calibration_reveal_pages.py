"""The reveal page's facilitation and the inspectors' histories, without a browser: the QA
manager records a call's agreed answer and notes on the reveal page (CSRF-checked, audited,
refused before the reveal and to participants), which participants then see; each inspector's
bias chart is a PNG a participant gets only after the reveal; an inspector's history lists their
sessions with bias and agreement and says why they are flagged for recalibration, to QA managers
and to the inspector alone (404 for another inspector, a team lead or an agent)."""

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from tests import floor
from tests.calibration.api import Desk, answer, hits, submit
from tests.web.signin import sign_in

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def desk(module_db):
    return Desk(floor.build(team="web-calib-reveal"), inspectors=2)


def _browser(username: str, language: str = "en") -> tuple[TestClient, str]:
    client = TestClient(create_app(), headers={"Accept-Language": language})
    return client, sign_in(client, username)


def _agreed_form(desk, sid: int, csrf: str, notes: str) -> dict:
    data = {"csrf_token": csrf, "earned-solution": "11", "earned-attitude": "8", "notes": notes}
    return data | {f"hit-{h}": "confirm" for h in hits(desk.floor.manager, sid, 1)}


def test_the_facilitator_records_the_agreed_answer_on_the_reveal_page(desk):
    sid = desk.session()["id"]
    me = desk.inspectors[0]
    for position in range(1, 5):
        answer(desk.clients[desk.expert], sid, position, solution=12, attitude=8)
        answer(desk.clients[me], sid, position, solution=6, attitude=8)
    manager, csrf = _browser(desk.floor.manager_name)
    participant, their_csrf = _browser(me)
    path = f"/calibration/{sid}/calls/1/agreed"
    notes = "解决方案只给了一半 <b>"

    before = manager.get(f"/calibration/{sid}").text
    assert 'id="agree-form-1"' not in before  # no agreed answer before the reveal
    early = manager.post(path, data=_agreed_form(desk, sid, csrf, notes), follow_redirects=False)
    assert early.status_code == 409
    assert manager.post(f"/calibration/{sid}/reveal", data={"csrf_token": csrf}).status_code == 200

    page = manager.get(f"/calibration/{sid}").text
    assert 'id="agree-form-1"' in page and 'id="agree-4"' in page
    assert 'name="earned-solution" min="0" max="15.0" step="0.5" value="12.0"' in page  # expert's
    forged = manager.post(path, data=_agreed_form(desk, sid, "forged", notes))
    assert forged.status_code == 403
    theirs = participant.post(path, data=_agreed_form(desk, sid, their_csrf, notes))
    assert theirs.status_code == 403
    incomplete = {
        k: v for k, v in _agreed_form(desk, sid, csrf, notes).items() if k != "earned-attitude"
    }
    assert manager.post(path, data=incomplete).status_code == 422
    saved = manager.post(path, data=_agreed_form(desk, sid, csrf, notes), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/calibration/{sid}?agreed=1#call-1"

    again = manager.get(f"/calibration/{sid}").text
    assert (
        'name="earned-solution" min="0" max="15.0" step="0.5" value="11.0"' in again
    )  # the agreed
    shown = participant.get(f"/calibration/{sid}").text
    assert 'id="agreed-1"' in shown and "解决方案只给了一半 &lt;b&gt;" in shown
    assert 'id="agree-form-1"' not in shown and '<td class="agreed-cell">11' in shown
    audited = desk.floor.manager.get("/api/v1/audit?action=calibration.agreed").json()
    assert any(a["detail"] == {"session_id": sid, "position": 1} for a in audited)


def test_the_bias_chart_is_shown_after_the_reveal_only(desk):
    sid = desk.session()["id"]
    me, other = desk.inspectors
    participant, _ = _browser(me)
    assert participant.get(f"/calibration/{sid}/bias.png").status_code == 404
    assert 'id="bias-chart"' not in participant.get(f"/calibration/{sid}").text
    for position in range(1, 5):
        answer(desk.clients[desk.expert], sid, position, solution=12, attitude=8)
        answer(desk.clients[me], sid, position, solution=12 - position, attitude=8)
        answer(desk.clients[other], sid, position, solution=12, attitude=8)
    for name in (desk.expert, me, other):
        submit(desk.clients[name], sid)
    chart = participant.get(f"/calibration/{sid}/bias.png")
    assert chart.status_code == 200 and chart.content.startswith(PNG)
    assert chart.headers["content-type"] == "image/png"
    assert "img-src 'self'" in chart.headers["content-security-policy"]
    assert 'id="bias-chart"' in participant.get(f"/calibration/{sid}").text
    chinese, _ = _browser(other, "zh-CN,zh;q=0.9")
    assert chinese.get(f"/calibration/{sid}/bias.png").content.startswith(PNG)
    for name in (desk.floor.agent_name, desk.floor.lead_name, desk.floor.inspector_name):
        outsider, _ = _browser(name)
        assert outsider.get(f"/calibration/{sid}/bias.png").status_code == 404


def _severe_session(desk, flagged: str) -> int:
    """A revealed session in which ``flagged`` scores 15 points below the expert on every call
    (outside the ±10 % tolerance) and the other inspector scores nothing."""
    sid = desk.session()["id"]
    for position in range(1, 5):
        answer(desk.clients[desk.expert], sid, position, solution=12, attitude=8)
        answer(desk.clients[flagged], sid, position, solution=position % 2, attitude=4)
    assert desk.floor.manager.post(f"/api/v1/calibration/sessions/{sid}/reveal").status_code == 200
    return sid


def test_an_inspectors_history_shows_the_flag_and_why_to_them_and_managers_only(desk):
    flagged, other = desk.inspectors
    made = [_severe_session(desk, flagged), _severe_session(desk, flagged)]
    mine, _ = _browser(flagged)
    page = mine.get(f"/calibration/inspectors/{flagged}")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'id="flag"' in html and "Flagged for recalibration" in html
    assert "outside tolerance in 2 of the last 3 sessions" in html
    for sid in made:
        assert f'<tr data-session="{sid}" class="outside">' in html
    assert "severe: scores below the gold" in html
    assert f'src="/calibration/inspectors/{flagged}/history.png?days=90"' in html
    chart = mine.get(f"/calibration/inspectors/{flagged}/history.png")
    assert chart.status_code == 200 and chart.content.startswith(PNG)
    assert 'id="my-history"' in mine.get("/calibration").text

    manager, _ = _browser(desk.floor.manager_name, "zh-CN,zh;q=0.9")
    seen = manager.get(f"/calibration/inspectors/{flagged}").text
    assert "需要重新校准" in seen and "偏严格" in seen
    assert (
        f'href="/calibration/inspectors/{flagged}"' in manager.get(f"/calibration/{made[0]}").text
    )
    calm = manager.get(f"/calibration/inspectors/{other}").text
    assert "需要重新校准" not in calm
    assert manager.get("/calibration/inspectors/nobody-here").status_code == 404

    peer, _ = _browser(other)
    assert peer.get(f"/calibration/inspectors/{flagged}").status_code == 404
    assert peer.get(f"/calibration/inspectors/{flagged}/history.png").status_code == 404
    for name in (desk.floor.agent_name, desk.floor.lead_name):
        outsider, _ = _browser(name)
        assert outsider.get(f"/calibration/inspectors/{flagged}").status_code == 404
        assert outsider.get(f"/calibration/inspectors/{name}").status_code == 404

    api = "/api/v1/calibration/inspectors/{}/history"
    found = desk.clients[flagged].get(api.format(flagged)).json()
    assert found["flagged"] is True and found["pooled"]["leaning"] == "severe"
    assert [s["session_id"] for s in found["series"]][-2:] == made
    assert desk.clients[other].get(api.format(flagged)).status_code == 404
    assert desk.floor.lead.get(api.format(flagged)).status_code == 404
    assert desk.floor.manager.get(api.format(other)).json()["flagged"] is False
