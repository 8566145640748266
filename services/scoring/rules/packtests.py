"""Running a pack's own test cases: transcripts that must and must not make each rule hit.

A test case is either text, one turn per line as ``role: words`` (optionally ``[12.0-15.5]``
before the role to give the turn's time; otherwise turns follow each other at a steady pace),
or a mapping with explicit ``turns`` for timing rules.
"""

import re
from dataclasses import dataclass

from services.scoring.rules import metrics as metrics_module
from services.scoring.rules.conversation import Conversation, from_turns
from services.scoring.rules.pack import CompiledPack
from services.scoring.rules.spec import TestCall, TestCase

_LINE = re.compile(
    r"^\s*(?:\[(?P<start>[\d.]+)\s*-\s*(?P<end>[\d.]+)\]\s*)?(?P<role>agent|customer|unknown)\s*[:：]\s*(?P<text>.*)$"
)
_PACE_S_PER_UNIT = 0.25
_GAP_S = 0.5


@dataclass
class TestFailure:
    """A test case that did not give the expected result."""

    rule: str
    expected: str  # hit | miss
    got: str  # hit | pass | not_measurable
    case: str
    reason: str | None = None  # why not measurable (a regex past its time limit, say)

    def __str__(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"rule {self.rule!r}: expected {self.expected}, got {self.got}{why}: {self.case!r}"


def conversation(case: TestCase) -> Conversation:
    """The conversation a test case describes."""
    if isinstance(case, TestCall):
        return from_turns([t.model_dump() for t in case.turns], duration_s=case.duration_s)
    turns, clock = [], 0.0
    for number, line in enumerate(case.strip().splitlines(), start=1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if not m:
            raise ValueError(f"line {number} is not 'agent: …' or 'customer: …': {line!r}")
        text = m["text"].strip()
        if m["start"]:
            start, end = float(m["start"]), float(m["end"])
        else:
            start = clock + _GAP_S
            end = (
                start
                + max(1.0, len(text.split()) if " " in text else len(text)) * _PACE_S_PER_UNIT * 2
            )
        clock = max(clock, end)
        turns.append({"id": number, "role": m["role"], "start": start, "end": end, "text": text})
    return from_turns(turns)


def run(pack: CompiledPack) -> tuple[int, list[TestFailure]]:
    """Runs every rule's test cases; returns how many ran and the failures."""
    failures, count = [], 0
    for rule in pack.spec.rules:
        for expected, cases in (("hit", rule.tests.hit), ("miss", rule.tests.miss)):
            for case in cases:
                count += 1
                conv = conversation(case)
                result = next(
                    r
                    for r in pack.evaluate(conv, metrics_module.compute(conv))
                    if r.rule.id == rule.id
                )
                ok = result.status == "hit" if expected == "hit" else result.status == "pass"
                if not ok:
                    label = case if isinstance(case, str) else case.model_dump_json()
                    failures.append(
                        TestFailure(rule.id, expected, result.status, label, result.outcome.reason)
                    )
    return count, failures
