"""End to end: a mono Mandarin call through the API and the workers is split into agent and
customer, so the agent's forbidden phrase is found with its evidence and the call flagged;
overtalk stays not measurable."""

from pathlib import Path

import pytest

from tests.helpers import upload
from tests.speech.mono_calls import MANDARIN_TWO_VOICES, build, mono_wav

pytestmark = pytest.mark.slow


def test_mono_call_with_a_forbidden_phrase_is_flagged_with_the_evidence(
    client, worker, wait_for, tmp_path: Path
):
    lines = build(MANDARIN_TWO_VOICES)
    said = next(ln for ln in lines if "不归我管" in ln.text)
    path = mono_wav(lines, tmp_path, telephone=True)

    call_id = upload(client, path, {"language": "zh", "direction": "inbound"}).json()["id"]

    call = wait_for(call_id, timeout=240)
    assert call.status == "scored", call.failure_reason
    body = client.get(f"/api/v1/calls/{call_id}").json()
    assert body["channels"] == 1 and body["speaker_roles"]["method"] == "voices"
    hits = [h for h in body["hits"] if h["category"] == "forbidden_phrase"]
    assert hits, body["hits"]
    assert hits[0]["role"] == "agent" and abs(hits[0]["start"] - said.start) <= 1.0
    assert "不归我管" in hits[0]["text"]
    assert body["flagged"] and body["score"]["flagged"]
    rules = {r["rule_id"]: r for r in body["rules"]}
    assert rules["overtalk"]["status"] == "not_measurable"
    assert body["metrics"]["talk_ratio"] is not None


def test_a_mono_call_without_the_script_gets_roles_from_the_agents_voiceprint(
    client, client_as, worker, wait_for, tmp_path: Path
):
    from tests.factories import unique
    from tests.speech.mono_calls import WITHOUT_SCRIPT
    from tests.synth import voice_recording

    agent_id = unique("VP")
    client_as("agent", agent_id=agent_id)
    voice = voice_recording(tmp_path, ("agent_refund", "agent_upsell", "agent_escalate"))
    enrolled = client.put(
        f"/api/v1/agents/{agent_id}/voiceprint",
        content=voice,
        headers={"Content-Type": "audio/wav"},
    )
    assert enrolled.status_code == 200, enrolled.text
    path = mono_wav(build(WITHOUT_SCRIPT), tmp_path)

    call_id = upload(client, path, {"language": "zh", "agent_id": agent_id}).json()["id"]

    call = wait_for(call_id, timeout=240)
    assert call.status == "scored", call.failure_reason
    body = client.get(f"/api/v1/calls/{call_id}").json()
    roles, turns = body["speaker_roles"], body["turns"]
    assert roles["method"] == "voices", roles
    assert "sounds like the agent's enrolled voiceprint" in roles["reason"]
    said = [(t["role"], t["text"]) for t in turns]
    assert [role for role, _ in said] == ["customer", "agent"] * 3, said
