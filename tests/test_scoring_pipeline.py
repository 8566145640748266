"""End to end: calls through the workers (ASR, then scoring) with the shipped rule packs."""

from pathlib import Path

import pytest

from tests.helpers import upload
from tests.synth import Line, en_lines, mix, write_wav, zh_lines

pytestmark = pytest.mark.slow

ZH_PROBLEM = [
    ("agent", "agent_greeting_02", 0.5),
    ("customer", "customer_complaint", 4.5),
    ("agent", "agent_forbidden_notmine", 9.0),
    ("customer", "customer_regulator", 12.8),
    ("agent", "agent_hold", 18.0),
    # 12 s with nobody speaking: the agent is away after the hold notice.
    ("agent", "agent_after_hold", 34.2),
    ("customer", "customer_repeat", 36.5),
    # The agent starts 1 s into the customer's sentence.
    ("agent", "agent_empathy", 37.5),
    ("customer", "customer_bye", 41.5),
    # No closing script.
]
ZH_CLEAN = [
    ("agent", "agent_greeting_02", 0.5),
    ("customer", "customer_balance", 4.5),
    ("agent", "agent_hold", 8.0),
    ("agent", "agent_after_hold", 14.0),
    ("agent", "agent_balance", 16.0),
    ("customer", "customer_thanks", 19.3),
    ("agent", "agent_anything_else", 21.8),
    ("customer", "customer_bye", 25.0),
    ("agent", "agent_closing", 27.3),
]
EN_PROBLEM = [
    ("agent", "Good morning, this is Mark speaking, how may I help you?", 0.5),
    ("customer", "I was charged twice for the same purchase last week.", 5.0),
    ("agent", "That is not my problem, you have to call the store.", 9.5),
    ("customer", "I want to make a formal complaint about this service.", 13.5),
    ("agent", "Please hold for a moment while I look at your account.", 17.5),
    ("agent", "I can see the two charges on your card now.", 33.0),
    ("customer", "Then I expect you to refund the second payment today.", 37.0),
    ("agent", "I understand, I will reverse the second charge for you.", 38.0),
    ("customer", "Fine.", 42.5),
]
EN_CLEAN = [
    ("agent", "Thank you for calling North Star Bank, my name is Anna, how can I help you?", 0.5),
    ("customer", "Hi, I would like to check the balance of my savings account please.", 6.0),
    ("agent", "Of course. Please hold for a moment while I look that up for you.", 11.0),
    ("agent", "Thank you for waiting. I can see the deposit from yesterday.", 17.0),
    ("customer", "Great, thank you very much for your help.", 22.0),
    ("agent", "You are welcome. Thank you for calling, have a nice day.", 25.5),
]


def _scored(client, wait_for, path: Path, metadata: dict) -> dict:
    call_id = upload(client, path, metadata).json()["id"]
    call = wait_for(call_id, statuses=("scored", "failed"), timeout=240)
    assert call.status == "scored", call.failure_reason
    return client.get(f"/api/v1/calls/{call_id}").json()


def _hits(call: dict, category: str) -> list[dict]:
    return [h for h in call["hits"] if h["category"] == category]


def _rule(call: dict, rule_id: str) -> dict:
    return next(r for r in call["rules"] if r["rule_id"] == rule_id)


def _line(lines: list[Line], text_start: str) -> Line:
    return next(ln for ln in lines if ln.text.startswith(text_start))


@pytest.mark.parametrize(
    ("language", "problem", "clean", "forbidden", "hold"),
    [
        ("zh", ZH_PROBLEM, ZH_CLEAN, "这个不归我管", "好的王先生"),
        ("en", EN_PROBLEM, EN_CLEAN, "That is not my problem", "Please hold"),
    ],
)
def test_service_standard_violations_are_found_with_evidence(
    client, worker, wait_for, tmp_path: Path, language, problem, clean, forbidden, hold
):
    build = zh_lines if language == "zh" else en_lines
    problem_lines, clean_lines = build(problem), build(clean)
    stereo = write_wav(tmp_path / "problem.wav", mix(problem_lines))
    mono = write_wav(
        tmp_path / "problem-mono.wav", mix(problem_lines, stereo=False), telephone=True
    )
    tidy = write_wav(tmp_path / "clean.wav", mix(clean_lines))

    bad = _scored(client, wait_for, stereo, {"language": language, "agent_id": f"{language}-A1"})
    good = _scored(client, wait_for, tidy, {"language": language, "agent_id": f"{language}-A1"})
    flat = _scored(client, wait_for, mono, {"language": language, "channels": "mono"})

    said = _line(problem_lines, forbidden)
    assert any(abs(h["start"] - said.start) <= 1.0 for h in _hits(bad, "forbidden_phrase")), bad[
        "hits"
    ]
    assert bad["score"]["total"] < good["score"]["total"]
    forbidden_item = next(i for i in bad["score"]["items"] if i["rule"] == "forbidden_phrase")
    assert forbidden_item["status"] == "hit" and forbidden_item["earned"] == 0
    assert _hits(bad, "closing") and not _hits(good, "closing")
    assert _hits(bad, "escalation_risk") and bad["flagged"] and bad["score"]["flagged"]
    assert any("escalation" in r.lower() or "投诉" in r for r in bad["score"]["reasons"])
    hold_end = _line(problem_lines, hold).end
    silences = [h for h in _hits(bad, "silence") if abs(h["start"] - hold_end) <= 1.0]
    assert silences and silences[0]["end"] - silences[0]["start"] >= 11, _hits(bad, "silence")
    overtalk = _hits(bad, "overtalk")
    assert overtalk and overtalk[0]["role"] == "agent", bad["metrics"]["overtalk"]
    assert not _hits(good, "overtalk") and not _hits(good, "forbidden_phrase")
    assert _rule(flat, "overtalk")["status"] == "not_measurable"
    assert "mono" in _rule(flat, "overtalk")["reason"]
    assert bad["metrics"]["talk_ratio"]["agent"] > 0
    assert _rule(bad, "customer_anger")["status"] in ("hit", "pass")
    # On the mono copy, talk time and anger are measured exactly when the roles were found
    # (tests/speech/test_mono*.py test how well they are found).
    roles_found = flat["speaker_roles"]["method"] != "none"
    assert (flat["metrics"]["talk_ratio"] is not None) == roles_found, flat["speaker_roles"]
    assert (_rule(flat, "customer_anger")["status"] != "not_measurable") == roles_found


def test_rescoring_with_a_new_pack_version_keeps_the_old_score(
    client, worker, wait_for, db_session, tmp_path: Path, monkeypatch
):
    import shutil

    from services.config import get_settings
    from services.scoring import service as scoring_service

    lines = en_lines(EN_CLEAN[:2])
    call = _scored(client, wait_for, write_wav(tmp_path / "r.wav", mix(lines)), {"language": "en"})
    first = call["score"]["pack_version"]
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (get_settings().rules_dir / "en-service.yaml").read_text()
    (rules / "en-service.yaml").write_text(
        text.replace("min_s: 10, role: agent", "min_s: 9, role: agent")
    )
    monkeypatch.setattr(get_settings(), "rules_dir", rules)

    response = client.post(f"/api/v1/calls/{call['id']}/rescore")

    assert response.status_code == 202
    # The worker reads its own settings: score here, with the edited pack, as the worker would.
    scoring_service.score_call(db_session=db_session, call_id=call["id"], rules_dir=rules)
    versions = [
        s.pack_version for s in scoring_service.scores(db_session=db_session, call_id=call["id"])
    ]
    assert first in versions and len(set(versions)) == 2
    shutil.rmtree(rules)
