"""Compiling a rule's condition (its ``when``) once per pack into a tree of nodes, with errors
that name the field, and adding its keyword conditions to the pack's keyword groups."""

import re
from typing import Any

from pydantic import ValidationError

from services.scoring.rules.engine import LOGIC, Node, Operators
from services.scoring.rules.scopes import KeywordScopes

MAX_DEPTH = 12


class ConditionError(ValueError):
    """A condition that is not valid; ``path`` names where (e.g. ``when.all[1].keyword.any``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def compile_condition(
    raw: Any, *, operators: Operators, key: str, path: str = "when", depth: int = 0
) -> Node:
    """Validates and compiles a condition tree; raises ConditionError naming the field."""
    if depth > MAX_DEPTH:
        raise ConditionError(path, f"conditions nest deeper than {MAX_DEPTH} levels")
    if not isinstance(raw, dict):
        raise ConditionError(path, "a condition is a mapping with one operator, e.g. {keyword: …}")
    node_id = raw.get("id")
    ops = [k for k in raw if k != "id"]
    if len(ops) != 1:
        known = ", ".join([*LOGIC, *operators])
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
            compile_condition(
                c, operators=operators, key=f"{key}.{op}{i}", path=f"{here}[{i}]", depth=depth + 1
            )
            for i, c in enumerate(value)
        ]
        return Node(op, key, children=children, id=node_id)
    if op == "not":
        child = compile_condition(
            value, operators=operators, key=f"{key}.not", path=here, depth=depth + 1
        )
        _evidence_unused(child)
        return Node(op, key, children=[child], id=node_id)
    if op not in operators:
        raise ConditionError(
            path, f"unknown operator {op!r}; known: {', '.join([*LOGIC, *operators])}"
        )
    try:
        params, evaluator = operators[op].bind(value)
    except ValidationError as exc:
        err = exc.errors()[0]
        # Drop pydantic's union branch labels (e.g. "constrained-str") from the path.
        where = ".".join(str(p) for p in err["loc"] if isinstance(p, int) or p.isidentifier())
        raise ConditionError(f"{here}.{where}" if where else here, err["msg"]) from None
    return Node(op, key, params=params, id=node_id, evaluator=evaluator)


def _evidence_unused(node: Node) -> None:
    """Marks a condition under a `not` (which keeps only the span searched) and those it is
    made of as having evidence nothing reads, except where another condition may anchor."""
    if node.id:
        return
    node.evidence_used = False
    if node.op in ("all", "any"):
        for child in node.children:
            _evidence_unused(child)


def register_keywords(node: Node, index: KeywordScopes, synonyms: dict[str, list[str]]) -> None:
    """Adds every keyword condition of a condition tree to the pack's keyword groups."""
    for n in node.walk():
        if n.op == "keyword":
            index.register(n, synonyms)
