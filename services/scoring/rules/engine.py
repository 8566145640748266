"""Evaluating compiled rule conditions on a conversation: the condition tree's nodes, the rule
operators, one call's evaluation context, and the logic operators (all, any, not)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar

from services.scoring.rules import absence, wording
from services.scoring.rules.conversation import Conversation
from services.scoring.rules.keywords import Hit
from services.scoring.rules.matching import JoinedTexts, join_texts
from services.scoring.rules.metrics import Metrics
from services.scoring.rules.operators import (
    Anchor,
    KeywordParams,
    Params,
    RepetitionParams,
    Scoped,
)
from services.scoring.rules.outcome import Evidence, Outcome, all_of, any_of, negate
from services.scoring.rules.scopes import GroupKey, KeywordScopes, ScopeKey, in_window

LOGIC = ("all", "any", "not")
P = TypeVar("P", bound=Params)


@dataclass
class Node:
    """A compiled condition."""

    op: str
    key: str  # unique within the pack: rule id + path
    params: Params | None = None
    children: list["Node"] = field(default_factory=list)
    id: str | None = None
    compiled: Any = None  # regex, vectoriser … prepared once per pack
    evidence_used: bool = True  # False under a `not`, where nothing reads it
    # The operator's evaluator with this node's parameters (None for all, any and not).
    evaluator: "Callable[[Node, Context], Outcome] | None" = None

    def walk(self) -> list["Node"]:
        """This node and all below it, in evaluation order."""
        return [self, *(n for c in self.children for n in c.walk())]

    @cached_property
    def holds_anchor(self) -> bool:
        """Whether this node or one below it has an id (another condition may anchor to it)."""
        return bool(self.anchor_ids)

    @cached_property
    def anchor_ids(self) -> list[str]:
        """The ids of this node and those below it."""
        return [n.id for n in self.walk() if n.id]

    @cached_property
    def may_stop_after(self) -> list[bool]:
        """For each child, whether evaluation may stop there once the result is decided: only
        if no later child holds an anchor that another condition may need."""
        return [
            not any(c.holds_anchor for c in self.children[i + 1 :])
            for i in range(len(self.children))
        ]

    @cached_property
    def scope_key(self) -> ScopeKey:
        """Where this text condition looks, apart from anchors (which depend on the call)."""
        assert isinstance(self.params, Scoped)
        window = self.params.window
        return self.params.role, window.model_dump_json() if window else None

    @cached_property
    def keyword_group(self) -> GroupKey:
        """The keyword conditions searched together with this one: same scope, same sound."""
        assert isinstance(self.params, KeywordParams)
        return (*self.scope_key, self.params.sound)

    @cached_property
    def operator(self) -> Callable[["Node", "Context"], Outcome]:
        """The function that evaluates this node."""
        return self.evaluator or LOGIC_OPERATORS[self.op]


@dataclass(frozen=True)
class Operator(Generic[P]):
    """A rule operator: its name, kind, parameter model and evaluator (its docstring says what
    the operator does)."""

    name: str
    kind: Literal["text", "metric"]
    params: type[P]
    evaluate: "Callable[[Node, Context, P], Outcome]"

    @property
    def description(self) -> str:
        """What the operator does, for people writing rules."""
        return (self.evaluate.__doc__ or "").strip()

    def bind(self, raw: Any) -> tuple[P, "Callable[[Node, Context], Outcome]"]:
        """Validates a condition's parameters; returns them and the evaluator bound to them."""
        params = self.params.model_validate(raw if raw is not None else {})

        def evaluate(node: Node, ctx: Context) -> Outcome:
            return self.evaluate(node, ctx, params)

        return params, evaluate


Operators = dict[str, Operator[Any]]


@dataclass
class Context:
    """One call being evaluated against one pack."""

    conv: Conversation
    metrics: Metrics
    keywords: KeywordScopes
    anchors: dict[str, Outcome] = field(default_factory=dict)
    # While a `not` judges each occurrence of what it anchors to on its own: that anchor's id
    # and the one occurrence.
    occurrence: tuple[str, Evidence] | None = None
    _found: dict[str, list[Hit]] = field(default_factory=dict)
    _scanned: set[GroupKey] = field(default_factory=set)
    _scopes: dict[ScopeKey, list[int]] = field(default_factory=dict)
    _searched: dict[ScopeKey, Evidence] = field(default_factory=dict)

    def keyword_matches(self, node: Node) -> list[Hit]:
        """(turn position, canonical term, start, end) of a keyword condition's matches in its
        role and window; the first condition of a scope group finds those of the whole group."""
        key = node.keyword_group
        if key not in self._scanned:
            self._scanned.add(key)
            self._found.update(self.keywords.find(self.conv, key, self._static_scope(node)))
        return self._found.get(node.key, [])

    def evaluate_rule(self, when: Node) -> Outcome:
        """Evaluates a rule's condition; the anchors of its conditions are forgotten after it
        (another rule anchors to the rule itself, as ``rule:<id>``)."""
        outcome = self.evaluate(when)
        for anchor in when.anchor_ids:
            self.anchors.pop(anchor, None)
        return outcome

    def evaluate(self, node: Node) -> Outcome:
        """Evaluates a condition, remembering outcomes of conditions with an id (anchors)."""
        outcome = node.operator(node, self)
        if node.id:
            self.anchors[node.id] = outcome
        return outcome

    def until(self, node: Node, *, stop: bool) -> list[Outcome]:
        """Children's outcomes in order, stopping at the first that decides (false for all,
        true for any), except where a later child has an id another condition may anchor to."""
        outcomes = []
        for child, may_stop in zip(node.children, node.may_stop_after, strict=True):
            outcome = self.evaluate(child)
            outcomes.append(outcome)
            if outcome.value is stop and may_stop:
                break
        return outcomes

    def scope(self, node: Node) -> list[int] | Outcome:
        """The turns (positions) a text condition looks at, or why that cannot be known."""
        params = node.params
        assert isinstance(params, Scoped)
        if params.role != "any" and not self.conv.roles_known:
            return Outcome.unmeasurable(wording.MONO_ROLES)
        turns = self._static_scope(node)
        if params.anchor is not None:
            turns = self._near_anchor(turns, params.anchor)
        return turns

    def _static_scope(self, node: Node) -> list[int]:
        """The turns of a text condition's role in its window (the same for its scope key)."""
        key = node.scope_key
        if key not in self._scopes:
            params = node.params
            assert isinstance(params, Scoped)
            self._scopes[key] = in_window(self.conv, self.conv.of_role(params.role), params.window)
        return self._scopes[key]

    def joined_norms(self, node: Node, turns: list[int]) -> list[JoinedTexts]:
        """The normalised text of a text condition's turns, joined for searching: each role's
        turns are joined once a call, and every turn is all roles' turns."""
        conv, role = self.conv, node.scope_key[0]
        if turns is conv.of_role(role):
            return [conv.norms_of_role(r) for r in (conv.speakers if role == "any" else [role])]
        return [join_texts(list(map(conv.norms.__getitem__, turns)), turns, conv.word_edges)]

    def _near_anchor(self, turns: list[int], anchor: Anchor) -> list[int]:
        found = self.anchors.get(anchor.to)
        if not found or not found.value:
            return []
        evidence = found.evidence
        if self.occurrence is not None and self.occurrence[0] == anchor.to:
            evidence = [self.occurrence[1]]
        position_of = self.conv.position_of
        marks = [position_of[i] for e in evidence for i in e.turn_ids if i in position_of]
        n = anchor.within_turns
        near: set[int] = set()
        for m in marks:
            if anchor.position != "after":
                near.update(range(m - n, m))
            if anchor.position != "before":
                near.update(range(m + 1, m + n + 1))
        return [i for i in turns if i in near]

    def searched(self, node: Node, turns: list[int]) -> Evidence:
        """The span a text condition searched (the evidence of an absence)."""
        params = node.params
        assert isinstance(params, Scoped | RepetitionParams)
        if isinstance(params, Scoped) and params.anchor is None:  # the same for its scope
            key = node.scope_key
            if key not in self._searched:
                self._searched[key] = self._span(turns, params.role)
            return self._searched[key]
        return self._span(turns, params.role)

    def _span(self, turns: list[int], role: str) -> Evidence:
        who = None if role == "any" else role
        conv = self.conv
        if turns:
            ids = tuple(map(conv.ids.__getitem__, turns))
            return Evidence(conv.starts[turns[0]], conv.ends[turns[-1]], who, ids)
        return Evidence(0.0, conv.duration_s, who)


def _all(node: Node, ctx: Context) -> Outcome:
    return all_of(ctx.until(node, stop=False))


def _any(node: Node, ctx: Context) -> Outcome:
    return any_of(ctx.until(node, stop=True))


def _not(node: Node, ctx: Context) -> Outcome:
    """NOT; where the condition below is anchored, each occurrence of what it anchors to is
    judged on its own (one hit per complaint left unanswered, say)."""
    child = node.children[0]
    anchor = getattr(child.params, "anchor", None)
    found = ctx.anchors.get(anchor.to) if isinstance(anchor, Anchor) else None
    if anchor is None or found is None or not found.value or ctx.occurrence is not None:
        return absence.explained(negate(ctx.evaluate(child)), child.params)

    def near(occurrence: Evidence) -> Outcome:
        ctx.occurrence = (anchor.to, occurrence)
        try:
            return ctx.evaluate(child)
        finally:
            ctx.occurrence = None

    return absence.per_occurrence(near, child.params, anchor, found.evidence, ctx.conv.duration_s)


LOGIC_OPERATORS: dict[str, Callable[[Node, Context], Outcome]] = {
    "all": _all,
    "any": _any,
    "not": _not,
}
