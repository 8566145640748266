"""Evaluators of the registered operators (imported for their registration)."""

import itertools
import re
from typing import TYPE_CHECKING

from services.scoring import analysis
from services.scoring import operators as ops
from services.scoring.conversation import TurnView
from services.scoring.outcome import Evidence, Outcome
from services.scoring.text import normalise

if TYPE_CHECKING:
    from services.scoring.engine import Context, Node

WHOLE_CALL = "the whole call"


def _scoped(node: "Node", ctx: "Context") -> tuple[list[TurnView], ops.Scoped] | Outcome:
    params = node.params
    assert isinstance(params, ops.Scoped)
    turns = ctx.scope(params)
    return turns if isinstance(turns, Outcome) else (turns, params)


@ops.operator("keyword", "text", ops.KeywordParams)
def keyword(node: "Node", ctx: "Context") -> Outcome:
    """Keywords (with synonyms) said in scope: any, all, at least N of, or none of them."""
    scoped = _scoped(node, ctx)
    if isinstance(scoped, Outcome):
        return scoped
    turns, params = scoped
    assert isinstance(params, ops.KeywordParams)
    evidence, said = [], set()
    matches = ctx.keyword_matches(node.key)
    if matches:
        in_scope = {t.index for t in turns}
        for index, canonical, start, end in matches:
            if index in in_scope:
                turn = ctx.conv.turns[index]
                said.add(canonical)
                evidence.append(ops.turn_evidence(turn, turn.norm[start:end]))
    wanted = {g[0] for g in params.terms()}
    if params.none:
        value = not said
    elif params.all:
        value = wanted <= said
    elif params.at_least:
        value = len(said & wanted) >= params.at_least
    else:
        value = bool(said)
    searched = ctx.searched(turns, params.role)
    return Outcome(
        value,
        evidence if value and not params.none else [searched] if value else [],
        scope=searched,
    )


def _regex_turns(node: "Node", turns: list[TurnView]) -> list[Evidence]:
    if node.compiled is None:
        assert isinstance(node.params, ops.RegexParams)
        node.compiled = re.compile(node.params.pattern, re.IGNORECASE)
    found = []
    for turn in turns:
        match = node.compiled.search(turn.norm)
        if match:
            found.append(ops.turn_evidence(turn, match.group()))
    return found


@ops.operator("regex", "text", ops.RegexParams)
def regex(node: "Node", ctx: "Context") -> Outcome:
    """A regular expression matching a turn in scope (normalised, case-insensitive text)."""
    scoped = _scoped(node, ctx)
    if isinstance(scoped, Outcome):
        return scoped
    turns, params = scoped
    found = _regex_turns(node, turns)
    return Outcome(bool(found), found, scope=ctx.searched(turns, params.role))


@ops.operator("not_regex", "text", ops.RegexParams)
def not_regex(node: "Node", ctx: "Context") -> Outcome:
    """No turn in scope matches the regular expression (an exclusion)."""
    scoped = _scoped(node, ctx)
    if isinstance(scoped, Outcome):
        return scoped
    turns, params = scoped
    searched = ctx.searched(turns, params.role)
    found = _regex_turns(node, turns)
    return Outcome(not found, [] if found else [searched], scope=searched)


@ops.operator("similar", "text", ops.SimilarParams)
def similar(node: "Node", ctx: "Context") -> Outcome:
    """A turn in scope that says what an example sentence says (TF-IDF cosine ≥ threshold)."""
    scoped = _scoped(node, ctx)
    if isinstance(scoped, Outcome):
        return scoped
    turns, params = scoped
    assert isinstance(params, ops.SimilarParams)
    if node.compiled is None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        examples = [normalise(e) for e in params.examples]
        vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        node.compiled = (vectoriser, vectoriser.fit_transform(examples))
    found = []
    if turns:
        vectoriser, example_matrix = node.compiled
        scores = (
            (vectoriser.transform([t.norm for t in turns]) @ example_matrix.T).toarray().max(axis=1)
        )
        found = [
            ops.turn_evidence(t)
            for t, s in zip(turns, scores, strict=True)
            if s >= params.threshold
        ]
    return Outcome(bool(found), found, scope=ctx.searched(turns, params.role))


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in itertools.pairwise(chars)}


@ops.operator("repetition", "text", ops.RepetitionParams)
def repetition(node: "Node", ctx: "Context") -> Outcome:
    """The same request said again and again by ``role`` (cosine of character-bigram sets)."""
    params = node.params
    assert isinstance(params, ops.RepetitionParams)
    if params.role != "any" and not ctx.conv.roles_known:
        return Outcome.unmeasurable("roles are unknown on a mono recording")
    turns = [
        t for t in ctx.conv.turns
        if (params.role == "any" or t.role == params.role) and len(t.norm) >= params.min_chars
    ]  # fmt: skip
    grams = [_bigrams(t.norm) for t in turns]
    # An inverted index keeps this linear in the text: only turns sharing bigrams are compared.
    postings: dict[str, list[int]] = {}
    for i, g in enumerate(grams):
        for gram in g:
            postings.setdefault(gram, []).append(i)
    for i, g in enumerate(grams):
        shared: dict[int, int] = {}
        for gram in g:
            for j in postings[gram]:
                if j != i:
                    shared[j] = shared.get(j, 0) + 1
        same = [
            j for j, n in shared.items() if n / (len(g) * len(grams[j])) ** 0.5 >= params.threshold
        ]
        if len(same) + 1 >= params.min_times:
            return Outcome(True, [ops.turn_evidence(turns[j]) for j in sorted({i, *same})])
    return Outcome(False, scope=ctx.searched(turns, params.role))


def _call_scope(ctx: "Context") -> Evidence:
    return Evidence(0.0, ctx.conv.duration_s, None)


@ops.operator("silence", "metric", ops.SilenceParams)
def silence(node: "Node", ctx: "Context") -> Outcome:
    """Nobody speaking for at least ``min_s`` (dead air), optionally on ``role``'s turn."""
    params = node.params
    assert isinstance(params, ops.SilenceParams)
    if params.role != "any" and not ctx.conv.roles_known:
        return Outcome.unmeasurable("whose turn a silence was is unknown on a mono recording")
    found = [
        Evidence(s.start, s.end, s.turn_of, (), f"{s.duration_s:.1f} s silence")
        for s in ctx.metrics.silences
        if s.duration_s >= params.min_s and (params.role == "any" or s.turn_of == params.role)
    ]
    return Outcome(bool(found), found, scope=_call_scope(ctx))


@ops.operator("overtalk", "metric", ops.OvertalkParams)
def overtalk(node: "Node", ctx: "Context") -> Outcome:
    """``interrupter`` talking over the other party for ``min_s`` while saying ``min_units``."""
    params = node.params
    assert isinstance(params, ops.OvertalkParams)
    if ctx.metrics.overtalk is None:
        return Outcome.unmeasurable("overtalk cannot be measured on a mono recording")
    found = [
        Evidence(
            o.start, o.end, o.interrupter, (), f"{o.duration_s:.1f} s over the {o.interrupted}"
        )
        for o in ctx.metrics.overtalk
        if o.duration_s >= params.min_s
        and o.units >= params.min_units
        and params.interrupter in ("any", o.interrupter)
    ]
    return Outcome(bool(found), found, scope=_call_scope(ctx))


def _beyond(value: float, params: ops.ThresholdParams | ops.SpeechRateParams) -> bool:
    return value > params.above if params.above is not None else value < (params.below or 0)


@ops.operator("speech_rate", "metric", ops.SpeechRateParams)
def speech_rate(node: "Node", ctx: "Context") -> Outcome:
    """Characters (Chinese) or words per minute above or below a limit, per turn or per call."""
    params = node.params
    assert isinstance(params, ops.SpeechRateParams)
    if params.role != "any" and not ctx.conv.roles_known:
        return Outcome.unmeasurable("roles are unknown on a mono recording")
    unit = ctx.metrics.rate_unit
    if params.per == "call":
        rates = [r for role, r in ctx.metrics.speech_rate.items() if params.role in ("any", role)]
        found = [
            Evidence(0.0, ctx.conv.duration_s, params.role, (), f"{r:.0f} {unit}/min")
            for r in rates if r is not None and _beyond(r, params)
        ]  # fmt: skip
        return Outcome(bool(found), found, scope=_call_scope(ctx))
    found = []
    for turn in ctx.conv.turns:
        rate = ctx.metrics.turn_rates.get(turn.id)
        if rate is not None and params.role in ("any", turn.role) and _beyond(rate, params):
            found.append(ops.turn_evidence(turn, f"{rate:.0f} {unit}/min: {turn.text}"))
    return Outcome(bool(found), found, scope=_call_scope(ctx))


@ops.operator("response_latency", "metric", ops.ThresholdParams)
def response_latency(node: "Node", ctx: "Context") -> Outcome:
    """Seconds from pickup to the agent's first words, above or below a limit."""
    params = node.params
    assert isinstance(params, ops.ThresholdParams)
    latency = ctx.metrics.response_latency_s
    if latency is None:
        return Outcome.unmeasurable(
            "the agent's first words cannot be told apart on this recording"
        )
    if not _beyond(latency, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(
        True, [Evidence(0.0, latency, "agent", (), f"agent first spoke at {latency:.1f} s")]
    )


@ops.operator("duration", "metric", ops.ThresholdParams)
def duration(node: "Node", ctx: "Context") -> Outcome:
    """Call length in seconds above or below a limit."""
    params = node.params
    assert isinstance(params, ops.ThresholdParams)
    length = ctx.metrics.duration_s
    if not _beyond(length, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(True, [Evidence(0.0, length, None, (), f"call lasted {length:.0f} s")])


@ops.operator("talk_ratio", "metric", ops.RoleThresholdParams)
def talk_ratio(node: "Node", ctx: "Context") -> Outcome:
    """``role``'s share of all talk time (0–1) above or below a limit."""
    params = node.params
    assert isinstance(params, ops.RoleThresholdParams)
    if ctx.metrics.talk_ratio is None:
        return Outcome.unmeasurable("talk ratio cannot be measured on a mono recording")
    ratio = ctx.metrics.talk_ratio.get(params.role, 0.0)
    if not _beyond(ratio, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(
        True, [Evidence(0.0, ctx.conv.duration_s, params.role, (), f"{ratio:.0%} of talk time")]
    )


@ops.operator("loudness", "metric", ops.RoleThresholdParams)
def loudness(node: "Node", ctx: "Context") -> Outcome:
    """``role``'s speech level in dBFS above or below a limit."""
    params = node.params
    assert isinstance(params, ops.RoleThresholdParams)
    level = ctx.metrics.loudness_dbfs.get(params.role) if ctx.conv.roles_known else None
    if level is None:
        return Outcome.unmeasurable(f"the {params.role}'s loudness is not known for this call")
    if not _beyond(level, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(True, [Evidence(0.0, ctx.conv.duration_s, params.role, (), f"{level:.0f} dBFS")])


@ops.operator("sentiment", "metric", ops.SentimentParams)
def sentiment(node: "Node", ctx: "Context") -> Outcome:
    """``role`` sounding angry or negative, by the text classifier in models/sentiment."""
    params = node.params
    assert isinstance(params, ops.SentimentParams)
    if not ctx.conv.roles_known:
        return Outcome.unmeasurable("roles are unknown on a mono recording")
    turns = [t for t in ctx.conv.turns if t.role == params.role]
    unscored = [t for t in turns if t.sentiment is None]
    if unscored:  # normally scored once, when the transcript was stored
        scores = analysis.sentiment([t.text for t in unscored])
        if scores is None:
            return Outcome.unmeasurable("the sentiment classifier has no training data")
        for turn, score in zip(unscored, scores, strict=True):
            turn.sentiment = score
    found = [
        ops.turn_evidence(t, f"{t.sentiment[params.label]:.0%} {params.label}: {t.text}")
        for t in turns
        if t.sentiment and t.sentiment[params.label] >= params.threshold
    ]
    return Outcome(bool(found), found, scope=_call_scope(ctx))
