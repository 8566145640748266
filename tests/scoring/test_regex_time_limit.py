"""A user's regex that backtracks without end is stopped at its time limit, in scoring and in
validation, with a message that says why."""

import time

from services.i18n import use_language
from services.scoring.rules import metrics, patterns
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import from_turns

PACK = """
pack: greedy
name: Greedy
language: en
rules:
  - {id: nested, name: Nested, category: other, when: {regex: {pattern: '(a+)+$'}}}
  - {id: nested_not, name: Not nested, category: other,
     when: {not_regex: {pattern: '(a|aa)+$', role: agent}}}
  - {id: plain, name: Plain, category: other, when: {regex: {pattern: 'a{3}!'}}}
"""
EVIL = "a" * 3000 + "!"  # a test case holds at most 5000 characters


def _results(text: str) -> dict:
    pack = pack_module.parse(PACK, source="greedy")
    conv = from_turns([{"id": 1, "role": "agent", "start": 0.0, "end": 5.0, "text": text}])
    with use_language("en"):
        return {r.rule.id: r for r in pack.evaluate(conv, metrics.compute(conv))}


def test_catastrophic_backtracking_is_not_measurable_within_the_limit(monkeypatch):
    monkeypatch.setattr(patterns, "TIME_LIMIT_S", 0.3)
    started = time.monotonic()

    results = _results(EVIL)

    # Unstopped, either pattern would run for longer than the universe has existed; stopped,
    # each takes its limit and some (the engine checks its clock now and then, and the
    # machine may be busy).
    assert time.monotonic() - started < 10
    for rule in ("nested", "nested_not"):
        assert results[rule].status == "not_measurable"
        assert "ran longer than 0.3 s and was stopped" in (results[rule].outcome.reason or "")
    assert results["plain"].status == "hit"  # the other rules of the pack still count
    assert results["plain"].outcome.evidence[0].text == "aaa!"


def test_the_same_patterns_answer_on_ordinary_text():
    results = _results("aaaa")

    assert results["nested"].status == "hit"
    assert results["nested_not"].status == "pass"
    assert results["plain"].status == "pass"


def test_validation_refuses_a_pack_whose_regex_backtracks_without_end(client):
    pack = (
        "pack: greedy\nname: Greedy\nlanguage: en\nrules:\n"
        "  - id: nested\n    name: Nested\n    category: other\n"
        "    when: {regex: {pattern: '(a+)+$'}}\n"
        f'    tests: {{hit: ["agent: aaaa"], miss: ["agent: {EVIL}"]}}\n'
    )
    started = time.monotonic()

    answer = client.post(
        "/api/v1/rules/validate", content=pack, headers={"Accept-Language": "en"}
    ).json()

    assert time.monotonic() - started < 10
    assert answer["valid"] is False and answer["tests_run"] == 2, answer
    [failure] = answer["test_failures"]
    assert failure.startswith("rule 'nested': expected miss, got not_measurable (")
    assert "the regular expression '(a+)+$' ran longer than 1.0 s and was stopped" in failure
