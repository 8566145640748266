"""Conversation metrics, three-valued rule results and scorecards on known transcripts."""

import pytest

from services.i18n import readable
from services.scoring.rules import metrics, scorecard
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import from_turns

STEREO = [
    {"id": 1, "role": "agent", "start": 0.5, "end": 3.0, "text": "您好，很高兴为您服务"},
    {
        "id": 2,
        "role": "customer",
        "start": 3.5,
        "end": 8.0,
        "text": "我都打了三次电话了还是没人解决",
    },
    {"id": 3, "role": "agent", "start": 5.0, "end": 9.0, "text": "我理解您的心情请您先别着急"},
    {"id": 4, "role": "agent", "start": 21.0, "end": 23.0, "text": "感谢您的耐心等待"},
]


def test_silence_overtalk_talk_ratio_and_latency_come_from_speech_times():
    m = metrics.compute(from_turns(STEREO))

    assert [(s.start, s.end, s.before, s.turn_of) for s in m.silences] == [
        (9.0, 21.0, "agent", "agent")
    ]
    (o,) = m.overtalk
    assert (o.start, o.end, o.interrupter, o.interrupted) == (5.0, 8.0, "agent", "customer")
    assert o.units >= 4
    assert m.response_latency_s == 0.5
    assert m.talk_ratio == {
        "agent": pytest.approx(8.5 / 13, abs=0.01),
        "customer": pytest.approx(4.5 / 13, abs=0.01),
    }
    assert m.rate_unit == "characters"


def test_each_turn_long_enough_to_judge_has_its_speech_rate():
    m = metrics.compute(from_turns(STEREO))

    # 您好很高兴为您服务: 9 characters in 2.5 s, 216 a minute.
    assert m.turn_rates == {1: 216.0, 2: 200.0, 3: 195.0, 4: 240.0}
    assert m.as_dict()["turn_rates"] == {1: 216.0, 2: 200.0, 3: 195.0, 4: 240.0}


def test_mono_recordings_report_not_measurable_instead_of_zero():
    mono = [{**t, "role": "unknown"} for t in STEREO]

    m = metrics.compute(from_turns(mono))

    assert m.overtalk is None and m.talk_ratio is None and m.response_latency_s is None
    assert m.silences and m.silences[0].turn_of is None  # the gap itself is still measurable


def test_mono_recordings_split_into_voices_measure_all_but_overtalk():
    m = metrics.compute(from_turns(STEREO, overlap_known=False))

    assert m.overtalk is None  # both voices were one signal: who spoke over whom is unheard
    assert m.talk_ratio is not None and m.response_latency_s == 0.5
    assert m.silences[0].turn_of == "agent"


PACK = """
pack: card
name: Card
language: zh
rules:
  - {id: greet, name: G, category: greeting, when: {not: {keyword: {any: [您好], role: agent}}}}
  - {id: rude, name: R, category: forbidden_phrase, when: {keyword: {any: [烦死了], role: agent}}}
  - {id: talk_over, name: O, category: overtalk, when: {overtalk: {min_s: 2}}}
  - {id: quiet, name: Q, category: silence, flag: true, when: {silence: {min_s: 10}}}
scorecard:
  name: Card
  flag_below: 80
  sections:
    - id: s
      name: S
      items:
        - {id: greet, name: G, points: 10, rule: greet}
        - {id: talk_over, name: O, points: 10, rule: talk_over}
        - {id: quiet, name: Q, points: 10, rule: quiet, deduct_per_hit: 4}
        - {id: manner, name: M, points: 10, manual: true}
        - {id: rude, name: R, points: 10, rule: rude, auto_fail: true, severity: critical}
"""


def _score(turns):
    pack = pack_module.parse(PACK, source="card")
    conv = from_turns(turns)
    return scorecard.score(pack, pack.evaluate(conv, metrics.compute(conv)))


def test_not_measurable_items_and_manual_items_leave_the_maximum():
    result = _score([{**t, "role": "unknown"} for t in STEREO])
    items = {i.id: i for i in result.items}

    # Mono: the agent-only rules and overtalk cannot be measured; only the silence rule counts.
    assert {i.id for i in result.items if i.status == "not_measurable"} == {
        "greet",
        "talk_over",
        "rude",
    }
    assert items["manner"].status == "manual"
    assert (result.total, result.maximum) == (6.0, 10.0)  # quiet lost 4 of 10
    # Stored as its fields, N/A as null.
    assert items["greet"].as_dict() == {
        "id": "greet",
        "section": items["greet"].section,
        "name": items["greet"].name,
        "points": items["greet"].points,
        "earned": None,
        "status": "not_measurable",
        "severity": items["greet"].severity,
        "auto_fail": False,
        "rule": items["greet"].rule,
        "deduct_per_hit": None,
    }


def test_a_red_line_hit_zeroes_the_score_and_flags_the_call():
    turns = [*STEREO, {"id": 5, "role": "agent", "start": 24.0, "end": 26.0, "text": "烦死了"}]

    result = _score(turns)

    assert result.auto_failed and result.total == 0 and result.percent == 0
    assert result.flagged
    reasons = [readable(r, "en") for r in result.reasons]
    assert any(r.startswith("red line") for r in reasons)
    assert any("Q (quiet)" in r for r in reasons)


def test_a_clean_call_scores_full_marks_and_is_not_flagged():
    clean = [STEREO[0], {"id": 2, "role": "customer", "start": 3.5, "end": 5.0, "text": "好的"}]

    result = _score(clean)

    assert (result.total, result.maximum, result.percent) == (40.0, 40.0, 100.0)
    assert not result.flagged and result.reasons == []
