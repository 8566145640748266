"""What evaluating a condition yields: true, false or not measurable, with evidence."""

from dataclasses import dataclass, field
from typing import NamedTuple

from services.i18n import Message


# A named tuple rather than a frozen dataclass: as immutable and as readable, and a call makes
# dozens of these, each built about four times faster.
class Evidence(NamedTuple):
    """Where in the call a condition found (or looked for) what it describes."""

    start: float
    end: float
    role: str | None
    turn_ids: tuple[int, ...] = ()
    text: str = ""  # what was said there, as said
    # What it shows, in the reader's language (a measure, or what was missing and where).
    message: Message | None = None


@dataclass
class Outcome:
    """Three-valued: ``value`` is None when the recording cannot show it (e.g. mono overtalk)."""

    value: bool | None
    evidence: list[Evidence] = field(default_factory=list)
    reason: str | None = None  # why not measurable
    # The part of the call that was searched: the evidence of an absence once negated.
    scope: Evidence | None = None

    @staticmethod
    def unmeasurable(reason: str) -> "Outcome":
        """A condition this recording cannot answer."""
        return Outcome(None, [], reason)


def all_of(outcomes: list[Outcome]) -> Outcome:
    """Kleene AND: false wins, then not-measurable, else true with every child's evidence."""
    if any(o.value is False for o in outcomes):
        return Outcome(False)
    missing = [o for o in outcomes if o.value is None]
    if missing:
        return Outcome.unmeasurable("; ".join(o.reason or "" for o in missing))
    return Outcome(True, [e for o in outcomes for e in o.evidence])


def any_of(outcomes: list[Outcome]) -> Outcome:
    """Kleene OR: true wins (with the true children's evidence), then not-measurable."""
    true = [o for o in outcomes if o.value]
    if true:
        return Outcome(True, [e for o in true for e in o.evidence])
    missing = [o for o in outcomes if o.value is None]
    if missing:
        return Outcome.unmeasurable("; ".join(o.reason or "" for o in missing))
    return Outcome(False)


def negate(outcome: Outcome) -> Outcome:
    """NOT: an absence becomes true with the searched span as its evidence."""
    if outcome.value is None:
        return outcome
    if outcome.value:
        return Outcome(False, scope=outcome.scope)
    return Outcome(True, [outcome.scope] if outcome.scope else [], scope=outcome.scope)
