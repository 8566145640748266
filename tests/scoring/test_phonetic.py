"""Keywords matched by sound (toneless pinyin): ASR's homophones are caught, word edges still
hold, fuzzy pairs are opt-in, and the evidence says what was heard and what it sounds like.

The misheard texts below are samples of errors Whisper base made on the shared zh clips
(核实 → 何时, 身份证号码 → 身份正好马), used as input text."""

from pathlib import Path

import pytest

from services.i18n import render
from services.scoring.rules import metrics as metrics_module
from services.scoring.rules import pack as pack_module
from services.scoring.rules import packtests
from services.scoring.rules.keywords import KeywordIndex
from services.text import pinyin
from services.text.normalise import normalise, word_edges

RULES = Path(__file__).resolve().parents[2] / "rules"


def _pack(condition: str, *, whole_pack: str = "") -> pack_module.CompiledPack:
    return pack_module.parse(
        f"""
pack: sound
name: Sound
language: zh
{whole_pack}
rules:
  - id: verified
    name: 核实身份
    category: identity_verification
    when: {{keyword: {{any: [核实您的身份, 身份证号码], role: agent{condition}}}}}
""",
        source="test",
    )


def _result(pack: pack_module.CompiledPack, case: str) -> pack_module.RuleResult:
    conv = packtests.conversation(case)
    return pack.evaluate(conv, metrics_module.compute(conv))[0]


def test_sounds_keep_one_code_per_character_and_match_homophones():
    heard, meant = pinyin.sounds("为了何时您的身份"), pinyin.sounds("为了核实您的身份")

    assert len(heard) == len("为了何时您的身份")
    assert heard == meant
    assert pinyin.sounds("请问12315 ok")[2:] == "12315 ok"
    assert pinyin.sounds("何时") != pinyin.sounds("核对")


def test_fuzzy_pairs_fold_only_the_pairs_named():
    assert pinyin.sounds("是") != pinyin.sounds("四")
    assert pinyin.sounds("是", ["sh-s"]) == pinyin.sounds("四", ["sh-s"])
    assert pinyin.sounds("男", ["n-l"]) == pinyin.sounds("蓝", ["n-l"])
    assert pinyin.sounds("男", ["sh-s"]) != pinyin.sounds("蓝", ["sh-s"])
    assert pinyin.fold("shang", frozenset({"sh-s", "an-ang"})) == "san"
    assert pinyin.fold("ying", frozenset({"in-ing"})) == "yin"


def _edges_match(text: str) -> bool:
    index = KeywordIndex(lambda norm: pinyin.sounds(norm))
    index.add("不行", "不行")
    return bool(index.find(pinyin.sounds(text), word_edges(text)))


def test_a_sound_match_respects_the_edges_of_the_words_heard():
    assert not _edges_match(normalise("他在不行政的部门"))  # 不行 inside 不 + 行政
    assert _edges_match(normalise("这样真的布兴"))  # 布兴 sounds like 不行, and is a word


def test_misheard_keyword_is_found_only_when_the_condition_matches_by_sound():
    misheard = "agent: 为了何时您的身份，请提供一下身份正好马后四位"

    assert _result(_pack(""), misheard).status == "pass"
    result = _result(_pack(", phonetic: true"), misheard)
    assert result.status == "hit"
    first = result.outcome.evidence[0]
    assert first.text == "何时您的身份"
    assert first.message is not None
    assert render(first.message, "zh_CN") == "何时您的身份（音同「核实您的身份」）"
    assert render(first.message, "en") == "何时您的身份 (sounds like 核实您的身份)"


def test_a_whole_pack_matches_by_sound_unless_a_condition_says_otherwise():
    misheard = "agent: 为了何时您的身份，请提供一下身份正好马后四位"
    accent = "agent: 为了核实您的森分"  # 身份 (shen fen) said as sen fen

    assert _result(_pack("", whole_pack="phonetic: true"), misheard).status == "hit"
    by_text = _pack(", phonetic: false", whole_pack="phonetic: true")
    assert _result(by_text, misheard).status == "pass"
    assert _result(_pack("", whole_pack="phonetic: true"), accent).status == "pass"
    assert _result(_pack("", whole_pack="phonetic: {fuzzy: [sh-s]}"), accent).status == "hit"
    assert _pack("").version != _pack("", whole_pack="phonetic: true").version
    with pytest.raises(pack_module.PackError, match="phonetic"):
        _pack("", whole_pack="phonetic: {fuzzy: [x-y]}")


def test_keyword_said_as_written_reads_as_itself_in_the_evidence():
    result = _result(_pack(", phonetic: true"), "agent: 为了核实您的身份")

    assert [e.text for e in result.outcome.evidence] == ["核实您的身份"]


def test_fuzzy_pairs_match_near_sounds_only_when_named():
    # 身份 (shen fen) said with a southern accent, written as 森分 (sen fen).
    accent = "agent: 为了核实您的森分"
    assert _result(_pack(", phonetic: true"), accent).status == "pass"
    assert _result(_pack(", phonetic: {fuzzy: [sh-s]}"), accent).status == "hit"


def test_an_unknown_fuzzy_pair_is_refused():
    with pytest.raises(pack_module.PackError, match="phonetic"):
        _pack(", phonetic: {fuzzy: [x-y]}")


def test_the_zh_pack_does_not_fire_identity_verification_on_a_misheard_check():
    pack = pack_module.load(RULES / "zh-service.yaml")
    case = "agent: 为了何时您的身份，请提供一下后四位\nagent: 好的，那我现在给您办理一下"
    conv = packtests.conversation(case)

    result = next(
        r
        for r in pack.evaluate(conv, metrics_module.compute(conv))
        if r.rule.id == "identity_not_verified"
    )

    assert result.status == "pass"
