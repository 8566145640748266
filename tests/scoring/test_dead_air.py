"""Dead air (the ``silence`` operator and the silence metric), stated at its edges: a gap of
exactly the threshold hits, a customer's silence is not the agent's, and gaps of a second or
more are measured."""

from services.scoring.rules import metrics
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import from_turns

PACK = """
pack: dead-air
name: Dead air
language: zh
rules:
  - {id: agent_dead_air, name: A, category: silence,
     when: {silence: {min_s: 10, role: agent}}}
  - {id: any_dead_air, name: B, category: silence, when: {silence: {min_s: 10}}}
"""


def _turn(i: int, role: str, start: float, end: float) -> dict:
    return {"id": i, "role": role, "start": start, "end": end, "text": "好的"}


def _hits(turns: list[dict]) -> dict[str, bool]:
    pack = pack_module.parse(PACK, source="dead-air")
    conv = from_turns(turns)
    return {r.rule.id: r.outcome.value for r in pack.evaluate(conv, metrics.compute(conv))}


def test_a_gap_of_exactly_the_threshold_is_dead_air():
    turns = [
        _turn(1, "customer", 0.0, 2.0),
        _turn(2, "agent", 2.5, 4.0),
        _turn(3, "agent", 14.0, 15.0),
    ]

    assert _hits(turns) == {"agent_dead_air": True, "any_dead_air": True}


def test_a_gap_just_under_the_threshold_is_not():
    turns = [_turn(1, "agent", 0.0, 4.0), _turn(2, "agent", 13.999, 15.0)]

    assert _hits(turns) == {"agent_dead_air": False, "any_dead_air": False}


def test_a_customers_silence_is_not_the_agents_dead_air():
    # The agent asked; the customer, whose turn it is, says nothing for 12 s.
    turns = [_turn(1, "agent", 0.0, 3.0), _turn(2, "customer", 15.0, 17.0)]

    assert _hits(turns) == {"agent_dead_air": False, "any_dead_air": True}


def test_every_gap_of_a_second_or_more_is_a_silence_and_shorter_ones_are_not():
    turns = [
        _turn(1, "agent", 0.0, 2.0),
        _turn(2, "customer", 3.0, 4.0),  # 1.0 s: a silence
        _turn(3, "agent", 4.9, 6.0),  # 0.9 s: turn-taking
        _turn(4, "customer", 9.5, 10.0),  # 3.5 s
    ]

    gaps = [(s.start, s.end, s.turn_of) for s in metrics.compute(from_turns(turns)).silences]

    assert gaps == [(2.0, 3.0, "customer"), (6.0, 9.5, "customer")]
