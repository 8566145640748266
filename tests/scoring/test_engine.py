"""Rule evaluation reads each turn on its own, whatever is shared between turns to make it fast."""

import pytest

from services.scoring.rules import metrics
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import from_turns

PACK = """
pack: engine
name: Engine
language: zh
rules:
  - {id: closing_late, name: A, category: closing,
     when: {keyword: {any: [再见], role: agent, window: {last_s: 10}}}}
  - {id: opening, name: B, category: greeting,
     when: {keyword: {any: [您好], role: agent, window: {first_turns: 1}}}}
  - {id: across_turns, name: C, category: forbidden_phrase,
     when: {keyword: {any: [不归我管, not my problem], role: any}}}
  - id: thanks_around
    name: D
    category: hold_etiquette
    when:
      all:
        - {id: hold, keyword: {any: [稍等], role: agent}}
        - keyword: {any: [谢谢], role: any, anchor: {to: hold, position: around, within_turns: 1}}
  - {id: starts_with, name: E, category: other, when: {regex: {pattern: '^您好'}}}
  - {id: mobile, name: F, category: pii_exposure,
     when: {regex: {pattern: '(?<!\\d)1[3-9]\\d{9}(?!\\d)', role: customer}}}
  - {id: repeat, name: G, category: other,
     when: {repetition: {role: customer, min_times: 3, threshold: 0.7}}}
  - {id: hold, name: H, category: hold_etiquette,
     when: {keyword: {any: [稍等, 请稍等, 请您稍等], role: agent}}}
  - {id: two_of, name: I, category: other,
     when: {keyword: {at_least: 2, of: [稍等, 请您稍等, 查询], role: agent}}}
"""


def _turn(i: int, role: str, start: float, end: float, text: str) -> dict:
    return {"id": i, "role": role, "start": start, "end": end, "text": text}


def _results(turns: list[dict]) -> dict:
    pack = pack_module.parse(PACK, source="engine")
    conv = from_turns(turns)
    return {r.rule.id: r for r in pack.evaluate(conv, metrics.compute(conv))}


def test_a_last_seconds_window_leaves_out_a_long_turn_that_ends_before_it():
    turns = [
        _turn(1, "agent", 0.0, 30.0, "好的再见"),  # a long turn, ending 10 s before the end
        _turn(2, "agent", 1.0, 2.0, "您好"),
        _turn(3, "customer", 31.0, 40.0, "嗯"),
    ]
    assert _results(turns)["closing_late"].status == "pass"

    turns[0]["end"] = 35.0  # now it ends inside the last 10 s
    assert _results(turns)["closing_late"].status == "hit"


def test_a_first_turns_window_counts_the_roles_own_turns():
    turns = [
        _turn(1, "customer", 0.0, 1.0, "您好"),
        _turn(2, "agent", 2.0, 3.0, "喂"),
        _turn(3, "agent", 4.0, 5.0, "您好"),
    ]
    assert _results(turns)["opening"].status == "pass"


@pytest.mark.parametrize(
    ("first", "second"), [("这个不归", "我管"), ("that is not my", "problem, sir")]
)
def test_a_keyword_never_runs_from_one_turn_into_the_next(first, second):
    turns = [_turn(1, "agent", 0.0, 2.0, first), _turn(2, "agent", 2.5, 4.0, second)]

    assert _results(turns)["across_turns"].status == "pass"


def test_keywords_at_the_edges_of_turns_are_found_with_their_turn():
    turns = [
        _turn(7, "agent", 0.0, 2.0, "Not my problem"),
        _turn(8, "customer", 2.5, 4.0, "好的"),
        _turn(9, "agent", 4.5, 6.0, "这个不归我管"),
    ]

    hit = _results(turns)["across_turns"]

    assert [(e.turn_ids, e.text) for e in hit.outcome.evidence] == [
        ((7,), "not my problem"),
        ((9,), "不归我管"),
    ]


def test_an_anchor_around_a_turn_looks_before_and_after_it_but_not_in_it():
    turns = [
        _turn(1, "customer", 0.0, 1.0, "谢谢"),
        _turn(2, "agent", 1.5, 3.0, "请您稍等谢谢"),
        _turn(3, "customer", 3.5, 4.0, "好"),
    ]

    hit = _results(turns)["thanks_around"]

    assert hit.status == "hit"
    assert [e.turn_ids for e in hit.outcome.evidence] == [(2,), (1,)]


def test_a_regex_sees_each_turn_on_its_own():
    turns = [
        _turn(1, "agent", 0.0, 1.0, "嗯您好"),  # 您好, but not at the start of a turn
        _turn(2, "customer", 1.5, 3.0, "号码是13812345678"),
        _turn(3, "customer", 3.5, 5.0, "9"),  # digits after the number, in another turn
    ]
    results = _results(turns)

    assert results["starts_with"].status == "pass"
    assert [e.text for e in results["mobile"].outcome.evidence] == ["13812345678"]


def test_regex_evidence_follows_the_call_whoever_spoke():
    turns = [
        _turn(1, "agent", 0.0, 1.0, "嗯"),
        _turn(2, "customer", 1.5, 2.0, "您好"),
        _turn(3, "agent", 2.5, 3.0, "您好"),
    ]

    hit = _results(turns)["starts_with"]

    assert [e.turn_ids for e in hit.outcome.evidence] == [(2,), (3,)]


def test_repeated_requests_are_found_with_every_turn_that_says_them():
    asks = ["我要退款", "我要退款", "我就是要退款", "我要退款"]
    turns = [_turn(i, "customer", 2.0 * i, 2.0 * i + 1, text) for i, text in enumerate(asks)]
    turns.append(_turn(9, "customer", 20.0, 21.0, "今天天气不错"))

    hit = _results(turns)["repeat"]

    assert hit.status == "hit"
    assert [e.turn_ids for e in hit.outcome.evidence] == [(0,), (1,), (3,)]


def test_turns_out_of_order_and_without_stored_analysis_are_handled():
    turns = [
        _turn(2, "customer", 5.0, 6.0, "好的"),
        {**_turn(1, "agent", 0.0, 2.0, "您好"), "norm": None},
    ]

    conv = from_turns(turns)

    assert conv.ids == [1, 2]
    assert conv.norms == ["您好", "好的"]
    assert conv.regions == {"agent": [(0.0, 2.0)], "customer": [(5.0, 6.0)]}


def test_a_keyword_said_inside_a_longer_one_is_one_hit_not_two():
    said_twice = [_turn(1, "agent", 0.0, 3.0, "请您稍等，稍等一下")]
    hold_once = [_turn(1, "agent", 0.0, 3.0, "请您稍等")]
    looked_up = [*hold_once, _turn(2, "agent", 4.0, 6.0, "我帮您查询")]

    # 请您稍等 holds 稍等: one hit there; the second 稍等 is a hit of its own.
    evidence = _results(said_twice)["hold"].outcome.evidence
    assert [e.text for e in evidence] == ["请您稍等", "稍等"]
    # …and there one term is said, not two.
    assert _results(hold_once)["two_of"].status == "pass"
    assert _results(looked_up)["two_of"].status == "hit"
