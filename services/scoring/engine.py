"""Compiling rule conditions once per pack and evaluating them on a conversation."""

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from services.scoring import operators
from services.scoring.conversation import Conversation, TurnView
from services.scoring.metrics import Metrics
from services.scoring.operators import REGISTRY, Params, Scoped
from services.scoring.outcome import Evidence, Outcome, all_of, any_of, negate
from services.scoring.text import KeywordIndex

LOGIC = ("all", "any", "not")
MAX_DEPTH = 12


class ConditionError(ValueError):
    """A condition that is not valid; ``path`` names where (e.g. ``when.all[1].keyword.any``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class Node:
    """A compiled condition."""

    op: str
    key: str  # unique within the pack: rule id + path
    params: Params | None = None
    children: list["Node"] = field(default_factory=list)
    id: str | None = None
    compiled: Any = None  # regex, vectoriser … prepared once per pack

    def walk(self) -> list["Node"]:
        """This node and all below it, in evaluation order."""
        return [self, *(n for c in self.children for n in c.walk())]

    @cached_property
    def holds_anchor(self) -> bool:
        """Whether this node or one below it has an id (another condition may anchor to it)."""
        return any(n.id for n in self.walk())


def compile_condition(raw: Any, *, key: str, path: str = "when", depth: int = 0) -> Node:
    """Validates and compiles a condition tree; raises ConditionError naming the field."""
    if depth > MAX_DEPTH:
        raise ConditionError(path, f"conditions nest deeper than {MAX_DEPTH} levels")
    if not isinstance(raw, dict):
        raise ConditionError(path, "a condition is a mapping with one operator, e.g. {keyword: …}")
    node_id = raw.get("id")
    ops = [k for k in raw if k != "id"]
    if len(ops) != 1:
        known = ", ".join([*LOGIC, *REGISTRY])
        raise ConditionError(path, f"a condition has exactly one operator (one of {known})")
    op = ops[0]
    value = raw[op]
    if node_id is not None and not (
        isinstance(node_id, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,63}", node_id)
    ):
        raise ConditionError(f"{path}.id", "an id is lower-case letters, digits and _")
    here = f"{path}.{op}"
    if op in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ConditionError(here, f"{op} takes a non-empty list of conditions")
        children = [
            compile_condition(c, key=f"{key}.{op}{i}", path=f"{here}[{i}]", depth=depth + 1)
            for i, c in enumerate(value)
        ]
        return Node(op, key, children=children, id=node_id)
    if op == "not":
        child = compile_condition(value, key=f"{key}.not", path=here, depth=depth + 1)
        return Node(op, key, children=[child], id=node_id)
    if op not in REGISTRY:
        raise ConditionError(
            path, f"unknown operator {op!r}; known: {', '.join([*LOGIC, *REGISTRY])}"
        )
    model = REGISTRY[op].params
    assert model is not None
    try:
        params = model.model_validate(value if value is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        # Drop pydantic's union branch labels (e.g. "constrained-str") from the path.
        where = ".".join(str(p) for p in err["loc"] if isinstance(p, int) or p.isidentifier())
        raise ConditionError(f"{here}.{where}" if where else here, err["msg"]) from None
    return Node(op, key, params=params, id=node_id)


def register_keywords(node: Node, index: KeywordIndex, synonyms: dict[str, list[str]]) -> None:
    """Adds every keyword of a condition tree to the pack's automaton."""
    for n in node.walk():
        if n.op == "keyword":
            assert isinstance(n.params, operators.KeywordParams)
            for group in n.params.terms():
                canonical = group[0]
                for word in [*group, *synonyms.get(canonical, [])]:
                    index.add(word, f"{n.key}\x1f{canonical}")


@dataclass
class Context:
    """One call being evaluated against one pack."""

    conv: Conversation
    metrics: Metrics
    keywords: KeywordIndex
    anchors: dict[str, Outcome] = field(default_factory=dict)
    _found: dict[str, list[tuple[int, str, int, int]]] | None = None
    _by_role: dict[str, list[TurnView]] = field(default_factory=dict)

    def keyword_matches(self, node_key: str) -> list[tuple[int, str, int, int]]:
        """(turn index, canonical term, start, end) of a keyword condition's matches.

        Every keyword of the pack is found in one automaton pass over the whole call.
        """
        if self._found is None:
            self._found = {}
            turns = self.conv.turns
            found = self.keywords.find_all([t.norm for t in turns], [t.cuts for t in turns])
            for index, m in found:
                owner, canonical = m.term.split("\x1f", 1)
                self._found.setdefault(owner, []).append((index, canonical, m.start, m.end))
        return self._found.get(node_key, [])

    def evaluate(self, node: Node) -> Outcome:
        """Evaluates a condition, remembering outcomes of conditions with an id (anchors)."""
        if node.op == "all":
            outcome = all_of(self._until(node.children, stop=False))
        elif node.op == "any":
            outcome = any_of(self._until(node.children, stop=True))
        elif node.op == "not":
            outcome = negate(self.evaluate(node.children[0]))
        else:
            outcome = REGISTRY[node.op].evaluate(node, self)
        if node.id:
            self.anchors[node.id] = outcome
        return outcome

    def _until(self, children: list[Node], *, stop: bool) -> list[Outcome]:
        """Children's outcomes in order, stopping at the first that decides (false for all,
        true for any), except where a later child has an id another condition may anchor to."""
        outcomes = []
        for index, child in enumerate(children):
            outcomes.append(self.evaluate(child))
            if outcomes[-1].value is stop and not any(
                c.holds_anchor for c in children[index + 1 :]
            ):
                break
        return outcomes

    def scope(self, params: Scoped) -> list[TurnView] | Outcome:
        """The turns a text operator looks at, or why that cannot be known."""
        if params.role != "any" and not self.conv.roles_known:
            return Outcome.unmeasurable(f"roles are unknown on a mono recording ({params.role})")
        if params.role not in self._by_role:
            self._by_role[params.role] = [
                t for t in self.conv.turns if params.role == "any" or t.role == params.role
            ]
        turns = self._by_role[params.role]
        w = params.window
        if w is not None:
            if w.first_s is not None:
                turns = [t for t in turns if t.start < w.first_s]
            elif w.last_s is not None:
                turns = [t for t in turns if t.end > self.conv.duration_s - w.last_s]
            elif w.first_turns is not None:
                turns = turns[: w.first_turns]
            elif w.last_turns is not None:
                turns = turns[-w.last_turns :]
        if params.anchor is not None:
            turns = self._near_anchor(turns, params.anchor)
        return turns

    def _near_anchor(self, turns: list[TurnView], anchor: operators.Anchor) -> list[TurnView]:
        found = self.anchors.get(anchor.to)
        if not found or not found.value:
            return []
        by_id = {t.id: t.index for t in self.conv.turns}
        marks = [by_id[i] for e in found.evidence for i in e.turn_ids if i in by_id]
        n = anchor.within_turns

        def near(index: int) -> bool:
            for m in marks:
                if anchor.position == "after" and m < index <= m + n:
                    return True
                if anchor.position == "before" and m - n <= index < m:
                    return True
                if anchor.position == "around" and m - n <= index <= m + n and index != m:
                    return True
            return False

        return [t for t in turns if near(t.index)]

    def searched(self, turns: list[TurnView], role: str) -> Evidence:
        """The span a text operator searched (the evidence of an absence)."""
        if turns:
            return Evidence(turns[0].start, turns[-1].end, None if role == "any" else role,
                            tuple(t.id for t in turns))  # fmt: skip
        return Evidence(0.0, self.conv.duration_s, None if role == "any" else role)
