"""The operators' evaluators: each reads a conversation with its typed parameters."""

import operator
import re
from collections import Counter, defaultdict
from itertools import chain
from typing import Any, cast

from services.scoring.rules import operators as ops
from services.scoring.rules import patterns, wording
from services.scoring.rules.engine import Context, Node
from services.scoring.rules.keywords import outermost
from services.scoring.rules.matching import one_first, regex_matches, relaxed_pattern
from services.scoring.rules.outcome import Evidence, Outcome
from services.text import analysis
from services.text.normalise import normalise


def keyword(node: Node, ctx: Context, params: ops.KeywordParams) -> Outcome:
    """Keywords (with synonyms) said in scope: any, all, at least N of, or none of them."""
    turns = ctx.scope(node)
    if isinstance(turns, Outcome):
        return turns
    matches = ctx.keyword_matches(node)  # all in the condition's role and window
    if matches and params.anchor is not None:
        near = set(turns)
        matches = [m for m in matches if m[0] in near]
    matches = outermost(matches)  # where 请您稍等 was said, 稍等 was not said again
    if params.all or params.at_least:  # which terms were said counts, not just whether any
        said = {canonical for _, canonical, _, _ in matches}
        wanted = {g[0] for g in params.terms()}
        value = wanted <= said if params.all else len(said & wanted) >= (params.at_least or 0)
    else:
        value = not matches if params.none else bool(matches)
    searched = ctx.searched(node, turns)
    if not value:
        return Outcome(value, [], scope=searched)
    if params.none:
        return Outcome(value, [searched], scope=searched)
    if not node.evidence_used:  # under a `not`: that the keywords were said is all that counts
        return Outcome(value, [], scope=searched)
    conv = ctx.conv
    evidence = [
        _heard(node, ctx, i, term, conv.norms[i][start:end]) for i, term, start, end in matches
    ]
    return Outcome(value, evidence, scope=searched)


def _heard(node: Node, ctx: Context, turn: int, term: str, heard: str) -> Evidence:
    """What was said; for a match by sound also the keyword it sounds like."""
    found = ops.turn_evidence(ctx.conv, turn, heard)
    if node.keyword_group[2] is None:
        return found
    keyword = ctx.keywords.sounded_like(node, term, heard)
    if keyword is None:
        return found
    return found._replace(message=wording.sounds_like(heard, keyword))


def _compiled_regex(node: Node, params: ops.RegexParams) -> tuple[Any, Any]:
    """The condition's regex, and a relaxed one to rule out many turns at once (if any)."""
    if node.compiled is None:
        relaxed = relaxed_pattern(params.pattern)
        try:
            quick = patterns.compile_pattern(one_first(relaxed)) if relaxed is not None else None
        except patterns.error:
            quick = None
        node.compiled = (patterns.compile_pattern(params.pattern), quick)
    return cast(tuple[Any, Any], node.compiled)


def _regex_turns(
    node: Node, ctx: Context, params: ops.RegexParams, turns: list[int]
) -> list[Evidence]:
    """The matches in ``turns``; raises PatternTimeout past the time limit."""
    exact, quick = _compiled_regex(node, params)
    budget = patterns.Budget()  # the condition's searches on this call share one limit
    if quick is not None:  # one search over many turns finds the few worth a closer look
        joined = ctx.joined_norms(node, turns)
        found = [match for texts in joined for match in regex_matches(exact, quick, texts, budget)]
        found.sort(key=operator.itemgetter(0))  # in turn order, whoever said them
    else:
        found = [
            (i, m) for i in turns if (m := budget.search(exact, ctx.conv.norms[i])) is not None
        ]
    return [ops.turn_evidence(ctx.conv, i, match.group()) for i, match in found]


def regex(node: Node, ctx: Context, params: ops.RegexParams) -> Outcome:
    """A regular expression matching a turn in scope (normalised, case-insensitive text);
    not measurable where the pattern runs past its time limit."""
    turns = ctx.scope(node)
    if isinstance(turns, Outcome):
        return turns
    try:
        found = _regex_turns(node, ctx, params, turns)
    except patterns.PatternTimeout as exc:
        return Outcome.unmeasurable(str(exc))
    return Outcome(bool(found), found, scope=ctx.searched(node, turns))


def not_regex(node: Node, ctx: Context, params: ops.RegexParams) -> Outcome:
    """No turn in scope matches the regular expression (an exclusion); not measurable where
    the pattern runs past its time limit."""
    turns = ctx.scope(node)
    if isinstance(turns, Outcome):
        return turns
    searched = ctx.searched(node, turns)
    try:
        found = _regex_turns(node, ctx, params, turns)
    except patterns.PatternTimeout as exc:
        return Outcome.unmeasurable(str(exc))
    return Outcome(not found, [] if found else [searched], scope=searched)


def similar(node: Node, ctx: Context, params: ops.SimilarParams) -> Outcome:
    """A turn in scope that says what an example sentence says (TF-IDF cosine ≥ threshold)."""
    turns = ctx.scope(node)
    if isinstance(turns, Outcome):
        return turns
    if node.compiled is None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        examples = [normalise(e) for e in params.examples]
        vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        node.compiled = (vectoriser, vectoriser.fit_transform(examples))
    found = []
    if turns:
        vectoriser, example_matrix = node.compiled
        norms = [ctx.conv.norms[i] for i in turns]
        scores = (vectoriser.transform(norms) @ example_matrix.T).toarray().max(axis=1)
        found = [
            ops.turn_evidence(ctx.conv, i)
            for i, s in zip(turns, scores, strict=True)
            if s >= params.threshold
        ]
    return Outcome(bool(found), found, scope=ctx.searched(node, turns))


# Letters and digits (str.isalnum), the characters a request's bigrams are made of.
_NOT_ALNUM = re.compile(r"[\W_]+")


def _bigrams(text: str) -> set[str]:
    chars = _NOT_ALNUM.sub("", text)
    return set(map(operator.add, chars, chars[1:]))


def repetition(node: Node, ctx: Context, params: ops.RepetitionParams) -> Outcome:
    """The same request said again and again by ``role`` (cosine of character-bigram sets)."""
    if params.role != "any" and not ctx.conv.roles_known:
        return Outcome.unmeasurable(wording.MONO_ROLES)
    norms = ctx.conv.norms
    turns = [i for i in ctx.conv.of_role(params.role) if len(norms[i]) >= params.min_chars]
    # Turns that say the same words have the same bigrams: each wording is compared once.
    wordings: dict[str, list[int]] = {}
    for i in turns:
        wordings.setdefault(norms[i], []).append(i)
    grams = [_bigrams(text) for text in wordings]
    said_by = list(wordings.values())
    # An inverted index keeps this linear in the text: only wordings sharing bigrams are compared.
    postings: dict[str, list[int]] = defaultdict(list)
    for w, g in enumerate(grams):
        for gram in g:
            postings[gram].append(w)
    for g in grams:  # in the order the wordings were first said
        # Wording → bigrams it shares with this one, counted without a Python loop per bigram.
        shared = Counter(chain.from_iterable(map(postings.__getitem__, g)))
        similar = [  # the wording itself among them
            v for v, n in shared.items() if n / (len(g) * len(grams[v])) ** 0.5 >= params.threshold
        ]
        if sum(len(said_by[v]) for v in similar) >= params.min_times:
            repeated = sorted(i for v in similar for i in said_by[v])
            return Outcome(True, [ops.turn_evidence(ctx.conv, i) for i in repeated])
    return Outcome(False, scope=ctx.searched(node, turns))


def _call_scope(ctx: Context) -> Evidence:
    return Evidence(0.0, ctx.conv.duration_s, None)


def silence(node: Node, ctx: Context, params: ops.SilenceParams) -> Outcome:
    """Nobody speaking for at least ``min_s`` (dead air), optionally on ``role``'s turn."""
    if params.role != "any" and not ctx.conv.roles_known:
        return Outcome.unmeasurable(wording.MONO_SILENCE)
    found = [
        Evidence(s.start, s.end, s.turn_of, (), "", wording.silence(s.duration_s))
        for s in ctx.metrics.silences
        if s.duration_s >= params.min_s and (params.role == "any" or s.turn_of == params.role)
    ]
    return Outcome(bool(found), found, scope=_call_scope(ctx))


def overtalk(node: Node, ctx: Context, params: ops.OvertalkParams) -> Outcome:
    """``interrupter`` talking over the other party for ``min_s`` while saying ``min_units``."""
    if ctx.metrics.overtalk is None:
        return Outcome.unmeasurable(wording.MONO_OVERTALK)
    found = [
        Evidence(
            o.start, o.end, o.interrupter, (), "", wording.overtalk(o.duration_s, o.interrupted)
        )
        for o in ctx.metrics.overtalk
        if o.duration_s >= params.min_s
        and o.units >= params.min_units
        and params.interrupter in ("any", o.interrupter)
    ]
    return Outcome(bool(found), found, scope=_call_scope(ctx))


def _beyond(value: float, params: ops.ThresholdParams | ops.SpeechRateParams) -> bool:
    return value > params.above if params.above is not None else value < (params.below or 0)


def speech_rate(node: Node, ctx: Context, params: ops.SpeechRateParams) -> Outcome:
    """Characters (Chinese) or words per minute above or below a limit, per turn or per call."""
    if params.role != "any" and not ctx.conv.roles_known:
        return Outcome.unmeasurable(wording.MONO_ROLES)
    unit = ctx.metrics.rate_unit
    if params.per == "call":
        rates = [r for role, r in ctx.metrics.speech_rate.items() if params.role in ("any", role)]
        found = [
            Evidence(0.0, ctx.conv.duration_s, params.role, (), "", wording.rate(r, unit))
            for r in rates if r is not None and _beyond(r, params)
        ]  # fmt: skip
        return Outcome(bool(found), found, scope=_call_scope(ctx))
    found = []
    conv = ctx.conv
    for i, turn_id in enumerate(conv.ids):
        rate = ctx.metrics.turn_rates.get(turn_id)
        if rate is not None and params.role in ("any", conv.roles[i]) and _beyond(rate, params):
            message = wording.rate(rate, unit, conv.texts[i])
            found.append(ops.turn_evidence(conv, i)._replace(message=message))
    return Outcome(bool(found), found, scope=_call_scope(ctx))


def response_latency(node: Node, ctx: Context, params: ops.ThresholdParams) -> Outcome:
    """Seconds from pickup to the agent's first words, above or below a limit."""
    latency = ctx.metrics.response_latency_s
    if latency is None:
        return Outcome.unmeasurable(wording.NO_FIRST_WORDS)
    if not _beyond(latency, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(True, [Evidence(0.0, latency, "agent", (), "", wording.first_words(latency))])


def duration(node: Node, ctx: Context, params: ops.ThresholdParams) -> Outcome:
    """Call length in seconds above or below a limit."""
    length = ctx.metrics.duration_s
    if not _beyond(length, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(True, [Evidence(0.0, length, None, (), "", wording.lasted(length))])


def talk_ratio(node: Node, ctx: Context, params: ops.RoleThresholdParams) -> Outcome:
    """``role``'s share of all talk time (0–1) above or below a limit."""
    if ctx.metrics.talk_ratio is None:
        return Outcome.unmeasurable(wording.MONO_TALK_RATIO)
    ratio = ctx.metrics.talk_ratio.get(params.role, 0.0)
    if not _beyond(ratio, params):
        return Outcome(False, scope=_call_scope(ctx))
    return Outcome(
        True, [Evidence(0.0, ctx.conv.duration_s, params.role, (), "", wording.talk_share(ratio))]
    )


def loudness(node: Node, ctx: Context, params: ops.RoleThresholdParams) -> Outcome:
    """``role``'s speech level in dBFS above or below a limit."""
    level = ctx.metrics.loudness_dbfs.get(params.role) if ctx.conv.roles_known else None
    if level is None:
        return Outcome.unmeasurable(wording.NO_LOUDNESS[params.role])
    if not _beyond(level, params):
        return Outcome(False, scope=_call_scope(ctx))
    evidence = Evidence(0.0, ctx.conv.duration_s, params.role, (), "", wording.level(level))
    return Outcome(True, [evidence])


def sentiment(node: Node, ctx: Context, params: ops.SentimentParams) -> Outcome:
    """``role`` sounding angry or negative, by the text classifier in models/sentiment."""
    if not ctx.conv.roles_known:
        return Outcome.unmeasurable(wording.MONO_ROLES)
    conv, label = ctx.conv, params.label
    turns = conv.of_role(params.role)
    feelings = list(map(conv.sentiment.__getitem__, turns))
    if None in feelings:  # normally scored once, when the transcript was stored
        unscored = [i for i, feeling in zip(turns, feelings, strict=True) if feeling is None]
        scores = analysis.sentiment([conv.texts[i] for i in unscored])
        if scores is None:
            return Outcome.unmeasurable(wording.NO_SENTIMENT_MODEL)
        for i, score in zip(unscored, scores, strict=True):
            conv.sentiment[i] = score
        feelings = list(map(conv.sentiment.__getitem__, turns))
    scored = cast(list[dict[str, float]], feelings)  # every turn has its scores now
    levels = list(map(operator.itemgetter(label), scored))
    found = [
        ops.turn_evidence(conv, i)._replace(message=wording.feeling(level, label, conv.texts[i]))
        for i, level in zip(turns, levels, strict=True)
        if level >= params.threshold
    ]
    return Outcome(bool(found), found, scope=_call_scope(ctx))
