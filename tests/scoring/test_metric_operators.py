"""The rule engine's metric operators at their limits: ``above`` and ``below`` are strict,
each operator reads its own role, and what a recording cannot show is not measurable."""

from services.scoring.rules import metrics
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import from_turns

RULES = {
    "long": "duration: {above: 59.9}",
    "not_longer": "duration: {above: 60}",
    "short": "duration: {below: 60.1}",
    "not_shorter": "duration: {below: 60}",
    "late": "response_latency: {above: 4.9}",
    "not_later": "response_latency: {above: 5}",
    "early": "response_latency: {below: 5.1}",
    "agent_talks": "talk_ratio: {role: agent, above: 0.7}",
    "not_more": "talk_ratio: {role: agent, above: 0.75}",
    "customer_quiet": "talk_ratio: {role: customer, below: 0.3}",
    "below_nothing": "talk_ratio: {role: customer, below: 0}",
    "customer_soft": "loudness: {role: customer, below: -30}",
    "agent_not_soft": "loudness: {role: agent, below: -30}",
    "agent_not_louder": "loudness: {role: agent, above: -20}",
    "agent_fast": "speech_rate: {role: agent, above: 179}",
    "agent_not_faster": "speech_rate: {role: agent, above: 180}",
    "agent_slow_call": "speech_rate: {role: agent, below: 181, per: call}",
    "agent_not_faster_call": "speech_rate: {role: agent, above: 180, per: call}",
    "customer_fast": "speech_rate: {role: customer, above: 179}",
}
PACK = "pack: metric-ops\nname: Metric operators\nlanguage: zh\nrules:\n" + "".join(
    f"  - {{id: {rule}, name: {rule}, category: other, when: {{{when}}}}}\n"
    for rule, when in RULES.items()
)
# A 60 s call: the agent speaks first at 5 s for 30 s (30 characters in each 10 s turn: 180 a
# minute), the customer for 10 s; the agent at -20 dBFS, the customer at -35.
SAY = "您好这里是客服中心请问有什么可以帮您的吗我们马上为您处理好的"  # 30 characters
TURNS = [
    {"id": 1, "role": "agent", "start": 5.0, "end": 15.0, "text": SAY},
    {"id": 2, "role": "customer", "start": 16.0, "end": 26.0, "text": "好的谢谢"},
    {"id": 3, "role": "agent", "start": 27.0, "end": 37.0, "text": SAY},
    {"id": 4, "role": "agent", "start": 40.0, "end": 50.0, "text": SAY},
]


def _results(turns=TURNS, loudness=None) -> dict[str, object]:
    pack = pack_module.parse(PACK, source="metric-ops")
    conv = from_turns(
        turns, loudness=loudness or {"agent": -20.0, "customer": -35.0}, duration_s=60.0
    )
    return {r.rule.id: r.outcome for r in pack.evaluate(conv, metrics.compute(conv))}


def test_above_and_below_are_strict_for_every_metric_operator():
    hits = {rule: outcome.value for rule, outcome in _results().items()}

    assert {rule for rule, hit in hits.items() if hit} == {
        "long", "short", "late", "early", "agent_talks", "customer_quiet", "customer_soft",
        "agent_fast", "agent_slow_call",
    }  # fmt: skip
    assert all(hit is False for rule, hit in hits.items() if not hit)


def test_the_evidence_spans_what_was_measured():
    found = _results()

    assert [(e.start, e.end) for e in found["long"].evidence] == [(0.0, 60.0)]
    assert [(e.start, e.end, e.role) for e in found["late"].evidence] == [(0.0, 5.0, "agent")]
    assert [(e.start, e.end, e.role) for e in found["agent_talks"].evidence] == [
        (0.0, 60.0, "agent")
    ]
    assert [(e.start, e.end, e.role) for e in found["customer_soft"].evidence] == [
        (0.0, 60.0, "customer")
    ]
    assert [(e.start, e.end) for e in found["agent_slow_call"].evidence] == [(0.0, 60.0)]
    assert [(e.start, e.end) for e in found["agent_fast"].evidence] == [
        (5.0, 15.0), (27.0, 37.0), (40.0, 50.0)
    ]  # fmt: skip


def test_a_mono_recording_cannot_show_roles_latency_ratio_or_loudness():
    mono = [{**t, "role": "unknown"} for t in TURNS]

    found = _results(mono, loudness={"unknown": -20.0})

    for rule in ("late", "agent_talks", "customer_soft", "agent_fast"):
        assert found[rule].value is None, rule
    assert found["long"].value is True


def test_a_party_whose_loudness_is_unknown_is_not_measurable():
    found = _results(loudness={"agent": -20.0, "customer": None})

    assert found["customer_soft"].value is None and found["agent_not_soft"].value is False


def test_overtalk_hits_from_exactly_its_length_and_units_and_only_for_its_interrupter():
    turns = [
        {"id": 1, "role": "agent", "start": 0.0, "end": 6.0, "text": SAY[:18]},
        {"id": 2, "role": "customer", "start": 4.0, "end": 10.0, "text": SAY[:18]},
    ]
    conv = from_turns(turns, duration_s=10.0)
    (over,) = metrics.compute(conv).overtalk
    assert (over.start, over.end, over.interrupter) == (4.0, 6.0, "customer")

    def hits(params: str) -> bool | None:
        text = (
            "pack: over\nname: Over\nlanguage: zh\nrules:\n"
            f"  - {{id: over, name: over, category: overtalk, when: {{overtalk: {params}}}}}\n"
        )
        pack = pack_module.parse(text, source="over")
        return pack.evaluate(conv, metrics.compute(conv))[0].outcome.value

    units = over.units
    assert units > 0
    assert hits(f"{{min_s: 2, min_units: {units}, interrupter: customer}}") is True
    assert hits(f"{{min_s: 2, min_units: {units}, interrupter: any}}") is True
    assert hits(f"{{min_s: 2, min_units: {units}, interrupter: agent}}") is False
    assert hits(f"{{min_s: 2.01, min_units: {units}, interrupter: customer}}") is False
    assert hits(f"{{min_s: 2, min_units: {units + 1}, interrupter: customer}}") is False


def test_a_limit_of_zero_is_a_limit_like_any_other():
    # dBFS levels are negative: half a decibel under full scale is below 0.
    rule = "{id: quieter, name: quieter, category: other, when: {loudness: {below: 0}}}"
    pack = pack_module.parse(
        f"pack: zero\nname: Zero\nlanguage: zh\nrules:\n  - {rule}\n", source="zero"
    )

    def quieter(level: float) -> object:
        conv = from_turns(TURNS, loudness={"agent": level, "customer": -35.0}, duration_s=60.0)
        return pack.evaluate(conv, metrics.compute(conv))[0].outcome.value

    assert quieter(-0.5) is True
    assert quieter(0.0) is False
