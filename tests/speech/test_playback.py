"""Playback through the API: a signed, short-lived link to the audio the viewer may hear,
streamed with seeking (Range → 206), pointing at the API's public address; with audio
redaction on, roles outside the PII roles never get the original recording in place of the
bleeped copy."""

import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from services import storage
from services.config import get_settings
from services.speech.tables import Turn
from tests import factories

RECORDING = bytes(range(256)) * 40  # 10,240 bytes, each position telling where it is
BLEEPED = b"bleeped!" * 512
PII_TURN = [{"type": "PHONE", "start": 1.0, "end": 2.0}]


def _link(client, call_id: int) -> str:
    answer = client.get(f"/api/v1/calls/{call_id}/audio")
    assert answer.status_code == 200, answer.text
    return answer.json()["url"]


def _local(url: str) -> str:
    """The link's path and query: the in-process client serves any host name."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _agent_and_call(db_session, client_as, **fields):
    agent_id = factories.unique("PLAY")
    agent = client_as("agent", agent_id=agent_id)
    call = factories.call(db_session, data=RECORDING, agent_id=agent_id, **fields)
    db_session.commit()
    return agent, call


def test_a_seek_answers_206_with_the_bytes_asked_for(client, db_session):
    call = factories.call(db_session, data=RECORDING)
    db_session.commit()
    link = _local(_link(client, call.id))

    whole = client.get(link)
    part = client.get(link, headers={"Range": "bytes=1000-1099"})
    tail = client.get(link, headers={"Range": "bytes=-16"})
    past = client.get(link, headers={"Range": "bytes=20000-"})

    assert whole.status_code == 200 and whole.content == RECORDING
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"].startswith("audio/")
    assert part.status_code == 206 and part.content == RECORDING[1000:1100]
    assert part.headers["content-range"] == f"bytes 1000-1099/{len(RECORDING)}"
    assert part.headers["content-length"] == "100"
    assert tail.status_code == 206 and tail.content == RECORDING[-16:]
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(RECORDING)}"


def test_a_seek_into_a_changed_recording_starts_over(client, db_session):
    call = factories.call(db_session, data=RECORDING)
    db_session.commit()
    link = _local(_link(client, call.id))
    etag = client.get(link).headers["etag"]

    same = client.get(link, headers={"Range": "bytes=10-19", "If-Range": etag})
    other = client.get(link, headers={"Range": "bytes=10-19", "If-Range": '"another"'})

    assert same.status_code == 206 and same.content == RECORDING[10:20]
    assert other.status_code == 200 and other.content == RECORDING


def test_the_link_points_at_the_public_url_when_one_is_set(client, db_session, monkeypatch):
    call = factories.call(db_session, data=RECORDING)
    db_session.commit()
    monkeypatch.setattr(get_settings(), "public_url", "https://qa.example.test/zhijian")

    url = _link(client, call.id)

    assert url.startswith(
        f"https://qa.example.test/zhijian/api/v1/calls/{call.id}/audio/stream?"
    ), url
    assert "127.0.0.1" not in url and "testserver" not in url
    # Behind that proxy prefix the API sees the same path it serves.
    assert client.get(_local(url).removeprefix("/zhijian")).content == RECORDING


def test_without_a_public_url_the_link_uses_the_address_the_request_came_to(client, db_session):
    call = factories.call(db_session, data=RECORDING)
    db_session.commit()

    url = _link(client, call.id)  # the in-process client is "http://testserver"

    assert url.startswith(f"http://testserver/api/v1/calls/{call.id}/audio/stream?")


def test_a_chosen_public_s3_endpoint_gets_presigned_urls(client, db_session, monkeypatch):
    call = factories.call(db_session, data=RECORDING)
    db_session.commit()
    monkeypatch.setattr(get_settings(), "s3_public_endpoint", "127.0.0.2:8333")

    url = _link(client, call.id)

    assert url.startswith(f"http://127.0.0.2:8333/{call.bucket}/{call.object_key}?")
    assert "X-Amz-Signature=" in url


def test_a_link_cannot_be_stretched_moved_or_kept(client, db_session, monkeypatch):
    mine = factories.call(db_session, data=RECORDING)
    other = factories.call(db_session, data=b"other" * 10)
    db_session.commit()
    link = _local(_link(client, mine.id))
    path, query = link.split("?")
    expires = int(query.split("expires=")[1].split("&")[0])

    stretched = client.get(
        link.replace(f"expires={expires}", f"expires={expires + 3600}"),
        headers={"Accept-Language": "zh-CN"},
    )
    moved = client.get(link.replace(f"/calls/{mine.id}/", f"/calls/{other.id}/"))
    unsigned = client.get(path)

    assert stretched.status_code == 403 and "播放链接已过期或无效" in stretched.text
    assert moved.status_code == 403
    assert unsigned.status_code == 422
    monkeypatch.setattr(get_settings(), "playback_url_ttl_s", 1)
    short = _local(_link(client, mine.id))
    time.sleep(2.1)
    assert client.get(short).status_code == 403


@pytest.mark.parametrize("status", ["received", "transcribing"])
def test_an_agent_waits_for_the_bleeped_copy(client_as, db_session, status):
    agent, call = _agent_and_call(db_session, client_as, status=status)

    refused = agent.get(f"/api/v1/calls/{call.id}/audio", headers={"Accept-Language": "en"})
    in_chinese = agent.get(f"/api/v1/calls/{call.id}/audio", headers={"Accept-Language": "zh"})

    assert refused.status_code == 409
    assert "not ready for you yet" in refused.json()["detail"]
    assert "Try again in" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    assert "个人信息" in in_chinese.json()["detail"]


def test_a_failed_call_says_why_it_cannot_be_heard(client_as, db_session):
    agent, call = _agent_and_call(
        db_session, client_as, status="failed", failure_reason="the recording is silent"
    )

    refused = agent.get(f"/api/v1/calls/{call.id}/audio", headers={"Accept-Language": "en"})

    assert refused.status_code == 409
    assert "the recording is silent" in refused.json()["detail"]
    assert "retry-after" not in refused.headers


def test_once_bleeped_the_agent_hears_the_copy_and_a_manager_the_original(
    client, client_as, db_session
):
    agent, call = _agent_and_call(db_session, client_as, status="scored")
    call.redacted_key = f"redacted/{call.object_key}.wav"
    storage.put_bytes(
        bucket=call.bucket, key=call.redacted_key, data=BLEEPED, content_type="audio/wav"
    )
    db_session.commit()

    heard = client.get(_local(_link(agent, call.id)))
    original = client.get(_local(_link(client, call.id)))

    assert heard.content == BLEEPED != RECORDING
    assert original.content == RECORDING


def test_a_transcribed_call_with_no_personal_data_is_heard_as_recorded(client_as, db_session):
    agent, call = _agent_and_call(db_session, client_as, status="scored")

    assert agent.get(_local(_link(agent, call.id))).content == RECORDING


def test_personal_data_without_a_bleeped_copy_is_never_played(client_as, db_session):
    agent_id = factories.unique("PLAY")
    agent = client_as("agent", agent_id=agent_id)
    call = factories.call_with_turns(db_session, lines=factories.CLEAN, agent_id=agent_id)
    call.status = "scored"
    turn = db_session.scalars(select(Turn).where(Turn.call_id == call.id)).first()
    turn.redactions = PII_TURN  # masked in the text, but never bleeped
    db_session.commit()

    refused = agent.get(f"/api/v1/calls/{call.id}/audio", headers={"Accept-Language": "en"})

    assert refused.status_code == 409
    assert "no bleeped copy" in refused.json()["detail"]


def test_the_pii_roles_hear_the_original_at_any_status(client_as, db_session):
    call = factories.call(db_session, data=RECORDING, status="received")
    inspector = client_as("inspector")
    db_session.commit()
    manager = client_as("qa_manager")

    assert manager.get(_local(_link(manager, call.id))).content == RECORDING
    assert inspector.get(f"/api/v1/calls/{call.id}/audio").status_code == 404  # not theirs


def test_a_listen_is_audited_and_a_refused_one_is_not(client, client_as, db_session):
    agent, waiting = _agent_and_call(db_session, client_as, status="received")
    ready = factories.call(db_session, data=RECORDING, agent_id=waiting.agent_id)
    db_session.commit()

    agent.get(f"/api/v1/calls/{waiting.id}/audio")
    agent.get(f"/api/v1/calls/{ready.id}/audio")

    def listens(call_id):
        query = {"action": "call.listen", "call_id": call_id}
        return client.get("/api/v1/audit", params=query).json()

    assert listens(waiting.id) == []
    [entry] = listens(ready.id)
    assert entry["username"].startswith("agent-") and entry["address"]
    assert entry["detail"]["from"] == "api" and entry["detail"]["redacted"] is False


def test_the_public_url_must_be_an_http_base_url():
    from pydantic import ValidationError

    from services.config import Settings

    assert Settings(public_url="https://qa.example.test/zhijian/").public_url == (
        "https://qa.example.test/zhijian"
    )
    assert Settings(public_url="").public_url is None
    for wrong in ("qa.example.test:8000", "ftp://qa.example.test", "http://qa.example.test/?a=1"):
        with pytest.raises(ValidationError, match="http"):
            Settings(public_url=wrong)
