"""Hearing a session's call: participants listen without learning whose call it is.

The link names the session and the call's position, never the call id or the object key; it
streams the recording, it cannot be moved to another position or stretched, and every request
for one is in the audit log. Those who may not see the session get 404.
"""

import pytest

from tests.calibration.api import Desk

BASE = "/api/v1/calibration/sessions"


@pytest.fixture(scope="module")
def desk(floor):
    """Two inspectors and an expert."""
    return Desk(floor, inspectors=2)


def _local(url: str) -> str:
    return url[url.index("/api/") :]


def test_a_participant_hears_the_call_by_its_place_in_the_session(desk):
    sid = desk.session()["id"]
    participant = desk.clients[desk.inspectors[0]]
    manager = desk.floor.manager
    call_id = manager.get(f"{BASE}/{sid}/calls/2").json()["call_id"]

    link = participant.get(f"{BASE}/{sid}/calls/2/audio")
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    assert f"/calibration/sessions/{sid}/calls/2/audio/stream?" in url
    assert "/api/v1/calls/" not in url and "recording" not in url  # no call id, no key
    heard = participant.get(_local(url))
    assert heard.status_code == 200 and heard.content == b"RIFF"
    assert heard.headers["content-disposition"] == "inline"

    audited = manager.get(f"/api/v1/audit?action=calibration.listen&call_id={call_id}").json()
    assert [a["username"] for a in audited] == [desk.inspectors[0]]
    assert audited[0]["detail"]["session_id"] == sid and audited[0]["detail"]["position"] == 2


def test_a_link_cannot_be_moved_or_stretched_and_strangers_get_none(desk):
    sid = desk.session()["id"]
    participant = desk.clients[desk.inspectors[1]]
    url = _local(participant.get(f"{BASE}/{sid}/calls/1/audio").json()["url"])
    expires = int(url.split("expires=")[1].split("&")[0])

    moved = participant.get(url.replace("/calls/1/", "/calls/3/"))
    stretched = participant.get(url.replace(f"expires={expires}", f"expires={expires + 3600}"))
    elsewhere = participant.get(url.replace(f"/sessions/{sid}/", "/sessions/999999999/"))
    assert (moved.status_code, stretched.status_code, elsewhere.status_code) == (403, 403, 403)
    assert "playback link has expired or is not valid" in moved.text
    assert participant.get(url, headers={"Range": "bytes=1-2"}).content == b"IF"

    for stranger in (desk.floor.inspector, desk.floor.agent, desk.floor.lead):
        assert stranger.get(f"{BASE}/{sid}/calls/1/audio").status_code == 404
