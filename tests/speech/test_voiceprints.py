"""Agents' voiceprints over the API: who may enroll one, what is refused, what is kept and logged,
and that a mono call of the agent is told by it on the real pipeline."""

from pathlib import Path

import pytest

from tests.factories import unique
from tests.synth import voice_recording

AGENT_CLIPS = ("agent_refund", "agent_upsell", "agent_escalate", "agent_empathy")


def _recording(tmp_path: Path, names=AGENT_CLIPS, *, channels: int = 1) -> bytes:
    return voice_recording(tmp_path, names, channels=channels)


def _url(agent_id: str) -> str:
    return f"/api/v1/agents/{agent_id}/voiceprint"


def _put(client, agent_id: str, body: bytes):
    return client.put(_url(agent_id), content=body, headers={"Content-Type": "audio/wav"})


def test_an_agent_enrolls_their_own_voice_which_only_they_and_managers_see(
    client, client_as, tmp_path: Path
):
    agent_id = unique("VA")
    agent = client_as("agent", agent_id=agent_id)
    body = _recording(tmp_path)

    enrolled = _put(agent, agent_id, body)

    assert enrolled.status_code == 200, enrolled.text
    facts = enrolled.json()
    assert set(facts) == {"agent_id", "speech_s", "enrolled_by", "enrolled_at"}  # no print
    assert facts["agent_id"] == agent_id and facts["speech_s"] >= 8
    assert agent.get(_url(agent_id)).json() == facts
    assert client.get(_url(agent_id)).json() == facts  # an admin
    others = [
        client_as("agent", agent_id=unique("VB")),
        client_as("inspector"),
        client_as("team_lead", team=unique("team")),
    ]
    for other in others:
        assert other.get(_url(agent_id)).status_code == 403
        assert _put(other, agent_id, body).status_code == 403
        assert other.delete(_url(agent_id)).status_code == 403
    assert client.get(_url(agent_id)).json() == facts  # nothing the others tried changed it
    logged = client.get("/api/v1/audit", params={"action": "voiceprint.enroll"}).json()
    assert any(e["detail"]["agent_id"] == agent_id for e in logged), logged

    assert agent.delete(_url(agent_id)).status_code == 204

    assert agent.get(_url(agent_id)).status_code == 404
    assert agent.delete(_url(agent_id)).status_code == 404
    logged = client.get("/api/v1/audit", params={"action": "voiceprint.delete"}).json()
    assert any(e["detail"]["agent_id"] == agent_id for e in logged), logged


def test_enrolling_again_replaces_the_print(client, client_as, tmp_path: Path):
    agent_id = unique("VA")
    client_as("agent", agent_id=agent_id)
    first = _put(client, agent_id, _recording(tmp_path)).json()

    again = _put(client, agent_id, _recording(tmp_path, (*AGENT_CLIPS[:3], "agent_closing")))

    assert again.status_code == 200 and again.json()["speech_s"] != first["speech_s"]
    assert again.json()["enrolled_at"] > first["enrolled_at"]
    assert client.get(_url(agent_id)).json() == again.json()


@pytest.mark.parametrize(
    ("make_body", "status", "says"),
    [
        (lambda tmp: b"", 422, "empty"),
        (lambda tmp: b"RIFF\x00\x00\x00\x00not audio at all" * 40, 422, "decode"),
        (lambda tmp: _recording(tmp, ("agent_hold",)), 422, "at least 8 s"),
        (lambda tmp: _recording(tmp, channels=2), 422, "one channel"),
        (lambda tmp: b"\x00" * (32 * 2**20 + 1), 413, "limit"),
    ],
    ids=["empty", "not audio", "too little speech", "stereo", "too large"],
)
def test_a_recording_that_cannot_make_a_print_is_refused_and_nothing_is_kept(
    client, client_as, tmp_path: Path, make_body, status, says
):
    agent_id = unique("VA")
    client_as("agent", agent_id=agent_id)

    refused = _put(client, agent_id, make_body(tmp_path))

    assert refused.status_code == status, refused.text
    assert says in refused.text
    assert client.get(_url(agent_id)).status_code == 404


def test_a_print_for_an_agent_id_no_user_has_is_refused(client, tmp_path: Path):
    refused = _put(client, unique("nobody"), _recording(tmp_path))

    assert refused.status_code == 404 and "no user has the agent id" in refused.text


def test_deleting_the_agents_user_deletes_their_voiceprint(client, db_session, tmp_path: Path):
    from sqlalchemy import func, select

    from services.speech.tables import Voiceprint
    from tests import factories

    agent_id = unique("VA")
    user, _token = factories.user(db_session, "agent", agent_id=agent_id)
    db_session.commit()
    assert _put(client, agent_id, _recording(tmp_path)).status_code == 200

    assert client.delete(f"/api/v1/users/{user.id}").status_code == 204

    left = select(func.count()).select_from(Voiceprint).where(Voiceprint.user_id == user.id)
    assert db_session.scalar(left) == 0
    assert client.get(_url(agent_id)).status_code == 404
