"""Hotwords: the packs' keyword terms of the call's language, bounded, switchable per queue."""

from pathlib import Path

import pytest

from services.scoring.service import keyword_terms
from services.speech.hotwords import hotwords, wanted

ZH_PACK = """
pack: zh-test
name: 测试
language: zh
synonyms:
  投诉: [举报]
rules:
  - {id: greet, name: G, category: greeting, when: {not: {keyword: {any: [您好], role: agent}}}}
  - id: rude
    name: R
    category: forbidden_phrase
    when:
      all:
        - {keyword: {any: [[不归我管, 不关我事], 您好], role: agent}}
        - {keyword: {any: [投诉], role: customer}}
"""
EN_PACK = """
pack: en-test
name: Test
language: en
rules:
  - {id: greet, name: G, category: greeting, when: {keyword: {any: [thank you for calling]}}}
"""
REPO_RULES = Path(__file__).resolve().parents[2] / "rules"
ZH_CLIPS = Path(__file__).resolve().parents[3] / "shared" / "data" / "zh-clips"


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    (tmp_path / "zh-test.yaml").write_text(ZH_PACK, encoding="utf-8")
    (tmp_path / "en-test.yaml").write_text(EN_PACK, encoding="utf-8")
    return tmp_path


def test_terms_are_the_packs_keywords_and_synonyms_in_the_calls_language(rules_dir):
    assert keyword_terms(rules_dir=rules_dir, language="zh") == [
        "您好",
        "不归我管",
        "不关我事",
        "投诉",
        "举报",
    ]
    assert keyword_terms(rules_dir=rules_dir, language="en-US") == ["thank you for calling"]
    assert keyword_terms(rules_dir=rules_dir, language="ja") == []


def test_hotwords_stop_before_the_length_limit_and_need_a_language(rules_dir):
    assert hotwords(
        keyword_terms(rules_dir=rules_dir, language="zh"), language="zh", max_chars=100
    ) == ("您好，不归我管，不关我事，投诉，举报")
    assert (
        hotwords(keyword_terms(rules_dir=rules_dir, language="zh"), language="zh", max_chars=12)
        == "您好，不归我管，不关我事"
    )
    assert (
        hotwords(keyword_terms(rules_dir=rules_dir, language="zh"), language="zh", max_chars=11)
        == "您好，不归我管"
    )
    assert (
        hotwords(keyword_terms(rules_dir=rules_dir, language="zh"), language="zh", max_chars=1)
        is None
    )
    assert (
        hotwords(keyword_terms(rules_dir=rules_dir, language=None), language=None, max_chars=100)
        is None
    )
    assert (
        hotwords(keyword_terms(rules_dir=rules_dir, language="en"), language="en", max_chars=100)
        == "thank you for calling"
    )


def test_the_setting_switches_hotwords_on_off_or_per_queue():
    assert wanted("on", None) and wanted(" ON ", "sales")
    assert not wanted("off", "sales")
    assert wanted("sales, complaints", "complaints")
    assert not wanted("sales,complaints", "billing")
    assert not wanted("sales", None)


def test_whisper_decodes_with_the_packs_hotwords(whisper):
    from services.speech.audio import decode
    from services.speech.transcribe import recognise

    samples = decode(ZH_CLIPS / "agent_greeting_02.wav", max_duration_s=60).channels[0]
    words = hotwords(
        keyword_terms(rules_dir=REPO_RULES, language="zh"), language="zh", max_chars=60
    )
    assert words and "工号" in words

    heard = recognise(whisper, samples, language="zh", beam_size=5, hotwords=words)

    text = "".join(w.text for w in heard)
    assert "工号" in text and "服务" in text
    # Whisper gives some Chinese characters no duration of their own.
    assert all(0 <= w.start <= w.end <= len(samples) / 16000 + 0.5 for w in heard)
