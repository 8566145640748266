"""The evidence of a ``not``: what should have been said and was not, and where.

Under an anchor (say, an apology within 3 turns after the customer's complaint) each occurrence
of what it anchors to is judged on its own, so a call where the customer complained three times
and the agent answered once has two hits, each one an inspector can judge, and each hit points
at the turns where the missing words were expected, not at the words that made them expected.
"""

from collections.abc import Callable

from services.i18n import N_, Message
from services.scoring.rules import wording
from services.scoring.rules.operators import Anchor, KeywordParams, Params, Scoped
from services.scoring.rules.outcome import Evidence, Outcome


def per_occurrence(
    evaluate_near: Callable[[Evidence], Outcome],
    params: Params | None,
    anchor: Anchor,
    anchored: list[Evidence],
    duration: float,
) -> Outcome:
    """NOT of a condition near each occurrence of what it anchors to (``evaluate_near``):
    true with one piece of evidence per occurrence where the condition did not hold."""
    evidence, scope = [], None
    for occurrence in occurrences(anchored):
        outcome = evaluate_near(occurrence)
        if outcome.value is None:
            return outcome
        scope = outcome.scope or scope
        if not outcome.value:
            evidence.append(expected_near(params, outcome.scope, occurrence, anchor, duration))
    return Outcome(bool(evidence), evidence, scope=scope)


def occurrences(evidence: list[Evidence]) -> list[Evidence]:
    """Each turn anchored to once (two complaints in one turn are one occurrence)."""
    seen: dict[tuple[int, ...] | tuple[float, float], Evidence] = {}
    for e in evidence:
        seen.setdefault(e.turn_ids or (e.start, e.end), e)
    return sorted(seen.values(), key=lambda e: e.start)


def _near(anchor: Anchor, at: Evidence) -> Message:
    if anchor.position == "after":
        return wording.after(anchor.within_turns, at.end)
    if anchor.position == "before":
        return N_(
            "within {count} turns before {time}",
            count=anchor.within_turns,
            time=wording.clock(at.start),
        )
    return N_(
        "within {count} turns of {time}", count=anchor.within_turns, time=wording.clock(at.start)
    )


def _missing(params: Params | None, where: Message) -> Message | None:
    if isinstance(params, KeywordParams) and not params.none:
        return wording.missing_words(params, where)
    if isinstance(params, Scoped):
        return wording.not_found(params.role, where)
    return None


def expected_near(
    params: Params | None, scope: Evidence | None, at: Evidence, anchor: Anchor, duration: float
) -> Evidence:
    """Where the missing words were expected near one occurrence: the turns searched, else
    the stretch of the call after (or before) it."""
    message = _missing(params, _near(anchor, at))
    who = params.role if isinstance(params, Scoped) and params.role != "any" else None
    if scope is not None and scope.turn_ids:
        return Evidence(scope.start, scope.end, who, scope.turn_ids, "", message)
    if anchor.position == "before":
        return Evidence(0.0, at.start, who, (), "", message)
    return Evidence(at.end, max(at.end, duration), who, (), "", message)


def explained(outcome: Outcome, params: Params | None) -> Outcome:
    """A negation's evidence (the span searched) saying what was missing there."""
    if not outcome.value or not isinstance(params, Scoped):
        return outcome
    message = _missing(params, wording.window(params.window))
    if message is None:
        return outcome
    outcome.evidence = [e._replace(message=message) for e in outcome.evidence]
    return outcome
