"""Hits an inspector can read and judge: names in the pack's languages, evidence that says what
was missing and where, one hit per unanswered occurrence and never the customer's words for a
rule about the agent, measures in the reader's language, dead air that flags the call."""

from pathlib import Path

from services.i18n import localised, readable, render, use_language
from services.scoring.maximum import explain_maximum
from services.scoring.rules import metrics, scorecard
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import from_turns
from services.scoring.rules.pack import RuleResult
from services.scoring.rules.packtests import conversation
from services.scoring.schemas import readable_reason

RULES = Path(__file__).resolve().parents[2] / "rules"
ZH = pack_module.load(RULES / "zh-service.yaml")
EN = pack_module.load(RULES / "en-service.yaml")


def _results(pack: pack_module.CompiledPack, transcript: str) -> dict[str, RuleResult]:
    conv = conversation(transcript)
    return {r.rule.id: r for r in pack.evaluate(conv, metrics.compute(conv))}


def test_a_rule_name_is_given_in_each_language_and_read_in_the_readers():
    rule = next(r for r in ZH.spec.rules if r.id == "no_empathy")

    assert ZH.names(rule) == {"zh_CN": "客户不满时未安抚", "en": "No empathy for an upset customer"}
    assert localised(ZH.names(rule), "en") == "No empathy for an upset customer"
    assert localised(ZH.names(rule), "zh_CN") == "客户不满时未安抚"


def test_a_pack_with_one_name_per_rule_gives_it_in_the_packs_language():
    pack = pack_module.parse(
        "pack: p\nname: P\nlanguage: zh\nrules:\n"
        "  - {id: r, name: 开场白, category: greeting, when: {keyword: {any: [您好]}}}\n",
        source="p",
    )

    assert pack.names(pack.spec.rules[0]) == {"zh_CN": "开场白"}
    assert localised(pack.names(pack.spec.rules[0]), "en") == "开场白"  # all there is


def test_three_complaints_one_answered_give_two_hits_on_the_agents_turns_only():
    empathy = _results(
        ZH,
        "customer: 你们这服务太差了\n"
        "agent: 您的话费余额是五十八元\n"
        "customer: 我上个月才交的\n"
        "agent: 嗯\n"
        "customer: 我要投诉你们\n"
        "agent: 非常抱歉，我马上处理\n"
        "customer: 气死我了\n"
        "agent: 请问还有别的事吗\n"
        "agent: 好的",
    )["no_empathy"]

    evidence = empathy.outcome.evidence
    assert empathy.status == "hit"
    assert len(evidence) == 2  # 太差 and 气死 went unanswered; 投诉 had its apology
    assert {e.role for e in evidence} == {"agent"}
    assert not any("太差" in e.text or "投诉" in e.text or "气死" in e.text for e in evidence)
    assert [e.turn_ids for e in evidence] == [(2, 4), (8, 9)]  # where the words were expected
    first = render(evidence[0].message, "zh_CN")
    assert first.startswith("坐席在 0:") and "之后的 3 句内未说出" in first, first
    assert "「理解您的心情」" in first
    assert render(evidence[0].message, "en").startswith("The agent said none of 「理解您的心情」")


def test_every_complaint_answered_is_no_hit():
    empathy = _results(
        ZH, "customer: 你们这服务太差了\nagent: 我理解您的心情\ncustomer: 我要投诉\nagent: 抱歉"
    )["no_empathy"]

    assert empathy.status == "pass"


def test_a_missing_closing_says_what_was_missing_and_where_in_either_language():
    closing = _results(ZH, "agent: 您好\ncustomer: 好的，谢谢你\nagent: 嗯")["closing"]

    [evidence] = closing.outcome.evidence
    assert evidence.role == "agent" and evidence.turn_ids == (1, 3)
    zh = render(evidence.message, "zh_CN")
    en = render(evidence.message, "en")
    assert zh.startswith("坐席在其最后 3 句内未说出「再见」、「感谢您的来电」"), zh
    assert en.startswith("The agent said none of 「再见」、「感谢您的来电」"), en
    assert en.endswith("… in their last 3 turns"), en


def test_a_missing_greeting_names_the_window_in_seconds():
    greeting = _results(EN, "agent: What do you want?")["greeting"]

    [evidence] = greeting.outcome.evidence
    assert render(evidence.message, "en").endswith("in the first 15 s")
    assert render(evidence.message, "zh_CN").startswith("坐席在开头 15 秒内未说出")


def test_a_speech_rate_reads_in_characters_a_minute_in_either_language():
    rate = _results(ZH, "[0-2] agent: 您好很高兴为您服务请问有什么可以帮您的吗")["speech_rate"]

    [evidence] = rate.outcome.evidence
    assert render(evidence.message, "en").endswith(" characters/min")
    assert render(evidence.message, "zh_CN").endswith(" 字/分钟")
    figure = render(evidence.message, "en").split()[0]
    assert int(figure) > 280


def test_fifteen_seconds_of_dead_air_flags_the_call():
    transcript = (
        "[0-3] agent: 您好，工号一零八六为您服务，请问有什么可以帮您\n"
        "[3.5-5] customer: 查一下话费\n"
        "[5.5-7] agent: 好的请您稍等\n"
        "[22-24] agent: 感谢您的耐心等待，余额五十八元\n"
        "[24.5-26] agent: 感谢您的来电，再见"
    )
    conv = conversation(transcript)
    results = ZH.evaluate(conv, metrics.compute(conv))
    dead_air = next(r for r in results if r.rule.id == "dead_air")

    assert dead_air.status == "hit"
    assert render(dead_air.outcome.evidence[0].message, "zh_CN") == "静音 15.0 秒"
    score = scorecard.score(ZH, results)
    assert score.flagged
    assert any("（dead_air）" in readable(reason, "zh_CN") for reason in score.reasons)
    assert any("(dead_air)" in readable(reason, "en") for reason in score.reasons)


def test_the_maximum_is_explained_item_by_item():
    conv = conversation("agent: 您好，工号一零八六为您服务\ncustomer: 好的\nagent: 再见")
    score = scorecard.score(ZH, ZH.evaluate(conv, metrics.compute(conv)))

    explained = explain_maximum([item.as_dict() for item in score.items])
    assert explained["counted"] == score.maximum
    assert explained["scorecard"] == 120
    assert set(explained["manual"]["items"]) == set()  # a person scores them later
    left_out = {i["item"]: i["why"] for i in explained["left_out"]}
    assert left_out["solution"] == left_out["attitude"] == "manual"
    assert explained["machine_scored"]["points"] == score.maximum
    assert explained["scorecard"] - explained["counted"] == sum(
        i["points"] for i in explained["left_out"]
    )


def test_two_complaints_in_one_turn_are_one_occurrence():
    empathy = _results(ZH, "customer: 太差了，我要投诉\nagent: 您的余额是五十八元")["no_empathy"]

    assert len(empathy.outcome.evidence) == 1


def test_why_a_rule_cannot_be_measured_reads_in_either_language():
    mono = from_turns([{"id": 1, "role": "unknown", "start": 0.0, "end": 3.0, "text": "您好"}])
    [overtalk] = [r for r in ZH.evaluate(mono, metrics.compute(mono)) if r.rule.id == "overtalk"]
    reason = overtalk.outcome.reason
    assert overtalk.status == "not_measurable"

    with use_language("zh_CN"):
        assert readable_reason(f"{reason}; {reason}") == "单声道录音无法测量抢话"
    with use_language("en"):
        assert readable_reason(reason) == "overtalk cannot be measured on a mono recording"


def test_the_shipped_packs_name_every_rule_in_chinese_and_english():
    for pack in (ZH, EN):
        for rule in pack.spec.rules:
            names = pack.names(rule)
            assert set(names) == {"zh_CN", "en"}, (pack.id, rule.id)
            assert all(names.values()), (pack.id, rule.id)
        assert {r.id: r.about for r in pack.spec.rules}["no_empathy"] == "agent"
