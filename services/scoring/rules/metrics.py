"""Conversation metrics from per-party speech regions and word timings.

Silences are gaps where neither party speaks, between the first and the last speech; the turn
belongs to whoever speaks next (after a hold notice it is the agent, after a question the one
who answers). Overtalk is time when both parties speak; the interrupter is the party whose
speech started later, and what they said over the other is counted from word timings.
On mono recordings roles are unknown: per-role figures are None (not measurable), never 0.

Times are stored to the millisecond (turns and speech regions alike), so a silence or an overtalk
starts and ends on stored times as they are; only what is computed from them is rounded.
"""

import bisect
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from itertools import starmap
from typing import Any, NamedTuple

from services.scoring.rules.conversation import ROLES, Conversation
from services.text.analysis import units

MIN_SILENCE_S = 1.0  # gaps shorter than this are ordinary turn-taking
MIN_OVERTALK_S = 0.2  # shorter overlaps are back-channel noise
MIN_RATE_TURN_S = 2.0  # speech rate of shorter turns is too noisy to judge
# A breath or comma inside a sentence is not the end of talking over someone.
OVERTALK_BRIDGE_S = 0.6


# Silences and overtalk are named tuples: a call has dozens, and a tuple is built several times
# faster than a dataclass instance.
class Silence(NamedTuple):
    """A stretch where nobody speaks."""

    start: float
    end: float
    duration_s: float
    before: str | None  # who spoke last
    turn_of: str | None  # who spoke next: whose turn it was


class Overtalk(NamedTuple):
    """Both parties speaking at once."""

    start: float
    end: float
    duration_s: float
    interrupter: str
    interrupted: str
    units: int  # characters (Chinese) or words the interrupter said during the overlap


@dataclass
class Metrics:
    """The figures rules and reports use; None means not measurable on this recording."""

    duration_s: float
    roles_known: bool
    silences: list[Silence] = field(default_factory=list)
    overtalk: list[Overtalk] | None = None
    talk_time_s: dict[str, float] = field(default_factory=dict)
    talk_ratio: dict[str, float] | None = None
    speech_rate: dict[str, float | None] = field(default_factory=dict)  # per role, per minute
    turn_rates: dict[int, float] = field(default_factory=dict)  # turn id → per minute
    response_latency_s: float | None = None
    first_speech_s: float | None = None
    loudness_dbfs: dict[str, float | None] = field(default_factory=dict)
    rate_unit: str = "words"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in out.items():
            if isinstance(value, dict):
                out[name] = dict(value)
        out["silences"] = [s._asdict() for s in self.silences]
        if self.overtalk is not None:
            out["overtalk"] = [o._asdict() for o in self.overtalk]
        return out


def _round3(x: float) -> float:
    """``x`` to the millisecond: the same as round(x, 3) for times of a call (centiseconds or
    samples), and a call has a few hundred of them, at half the cost."""
    return round(x * 1000) / 1000


def _merge(spans: list[tuple[float, float]], bridge: float = 0.0) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for s, e in spans:  # sorted, as a conversation's regions are
        if merged and s <= merged[-1][1] + bridge:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def silences(conv: Conversation) -> list[Silence]:
    """Gaps of at least MIN_SILENCE_S between the first and the last speech."""
    labelled = [(s, e, role) for role, spans in conv.regions.items() for s, e in spans]
    labelled.sort()
    known = conv.roles_known
    found = []
    reach, last_role = -1.0, None  # the furthest speech end so far, and whose it was
    for s, e, role in labelled:
        if reach >= 0 and s - reach >= MIN_SILENCE_S:
            before, turn_of = (last_role, role) if known else (None, None)
            found.append(Silence(reach, s, _round3(s - reach), before, turn_of))
        if e > reach:
            reach, last_role = e, role
    return found


def overtalk(conv: Conversation) -> list[Overtalk] | None:
    """Overlaps between the agent's and the customer's speech; None on mono recordings."""
    if not conv.roles_known or not conv.overlap_known:
        return None
    agent = _merge(conv.regions.get("agent", []), OVERTALK_BRIDGE_S)
    customer = _merge(conv.regions.get("customer", []), OVERTALK_BRIDGE_S)
    turns: dict[str, _TurnsByTime] = {}  # built at the first overlap of each interrupter
    longest = 0.0  # the longest turn, measured at the first overlap
    found = []
    for (a_start, a_end), (c_start, c_end) in _overlapping(agent, customer):
        start, end = max(a_start, c_start), min(a_end, c_end)
        if end - start >= MIN_OVERTALK_S:
            interrupter = "agent" if a_start > c_start else "customer"
            if interrupter not in turns:
                longest = longest or _longest_turn(conv)
                turns[interrupter] = _TurnsByTime(conv, interrupter, longest)
            found.append(
                Overtalk(
                    start=start,
                    end=end,
                    duration_s=_round3(end - start),
                    interrupter=interrupter,
                    interrupted="customer" if interrupter == "agent" else "agent",
                    units=_units_said(conv, turns[interrupter].near(start, end), start, end),
                )
            )
    return found


def _overlapping(
    agent: list[tuple[float, float]], customer: list[tuple[float, float]]
) -> Iterator[tuple[tuple[float, float], tuple[float, float]]]:
    """Each agent region with each customer region it overlaps, in time order (each list is
    sorted and its regions are apart): one binary search per agent region finds them."""
    customer_ends = [end for _, end in customer]
    for a_start, a_end in agent:
        j = bisect.bisect_right(customer_ends, a_start)
        while j < len(customer) and customer[j][0] < a_end:
            yield (a_start, a_end), customer[j]
            j += 1


class _TurnsByTime:
    """A role's turns by start time, to find the few near a moment without reading them all."""

    def __init__(self, conv: Conversation, role: str, longest: float) -> None:
        self.turns = conv.of_role(role)
        self.starts = list(map(conv.starts.__getitem__, self.turns))
        self.longest = longest  # no turn of the call is longer

    def near(self, start: float, end: float) -> list[int]:
        """The turns that may overlap start–end: a superset, in time order."""
        first = bisect.bisect_left(self.starts, start - self.longest)
        return self.turns[first : bisect.bisect_right(self.starts, end)]


def _longest_turn(conv: Conversation) -> float:
    """No turn is longer than this, with a second to spare for rounding."""
    return max(map(operator.sub, conv.ends, conv.starts), default=0.0) + 1


def _units_said(conv: Conversation, turns: list[int], start: float, end: float) -> int:
    """What was said from start to end in ``turns``, in characters or words."""
    said, estimated = [], 0.0
    for i in turns:
        turn_start, turn_end = conv.starts[i], conv.ends[i]
        if turn_end < start or turn_start > end:
            continue
        words = conv.words[i]
        if not words:  # a transcript without word timings: assume an even pace
            overlap = min(end, turn_end) - max(start, turn_start)
            estimated += conv.units[i] * overlap / max(turn_end - turn_start, 1e-6)
        for w in words:
            if start <= (float(w["start"]) + float(w["end"])) / 2 <= end:
                said.append(str(w["w"]))
    if not said:  # no word timings (or none in the overlap): nothing to count
        return int(estimated)
    return units(("" if conv.chinese else " ").join(said)) + int(estimated)


def compute(conv: Conversation) -> Metrics:
    """All metrics of a conversation."""
    # Σ(end − start) in C: −Σ(start − end) adds the same numbers, negated exactly.
    talk = {
        role: round(-sum(starmap(operator.sub, spans)), 3) for role, spans in conv.regions.items()
    }
    total_talk = sum(talk.values())
    metrics = Metrics(
        duration_s=round(conv.duration_s, 3),
        roles_known=conv.roles_known,
        silences=silences(conv),
        overtalk=overtalk(conv),
        talk_time_s=talk,
        loudness_dbfs=dict(conv.loudness),
        rate_unit="characters" if conv.chinese else "words",
    )
    if conv.roles_known and total_talk > 0:
        metrics.talk_ratio = {role: round(talk.get(role, 0.0) / total_talk, 3) for role in ROLES}
    firsts = [spans[0][0] for spans in conv.regions.values() if spans]
    metrics.first_speech_s = round(min(firsts), 3) if firsts else None
    if conv.roles_known and conv.regions.get("agent"):
        metrics.response_latency_s = round(conv.regions["agent"][0][0], 3)
    metrics.turn_rates = _turn_rates(conv)
    for role in conv.speakers:
        said = sum(map(conv.units.__getitem__, conv.of_role(role)))
        seconds = talk.get(role, 0.0)
        metrics.speech_rate[role] = round(said / (seconds / 60), 1) if seconds >= 1 else None
    return metrics


def _turn_rates(conv: Conversation) -> dict[int, float]:
    """Turn id → units per minute, for turns long enough to judge."""
    lengths = map(operator.sub, conv.ends, conv.starts)
    return {
        turn_id: round(said / (length / 60) * 10) / 10  # as round(…, 1), at half the cost
        for turn_id, said, length in zip(conv.ids, conv.units, lengths, strict=True)
        if length >= MIN_RATE_TURN_S
    }
