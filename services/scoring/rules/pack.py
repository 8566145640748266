"""Loading rule packs: safe YAML, validation with errors that name file, rule and field,
compilation once per pack, and a version that is the hash of the pack's content."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.i18n import names_by_language
from services.scoring.rules.conditions import ConditionError, compile_condition, register_keywords
from services.scoring.rules.conversation import Conversation
from services.scoring.rules.engine import Context, Node
from services.scoring.rules.metrics import Metrics
from services.scoring.rules.operators import KeywordParams, Phonetic
from services.scoring.rules.outcome import Outcome
from services.scoring.rules.registry import OPERATORS
from services.scoring.rules.scopes import KeywordScopes
from services.scoring.rules.spec import PackSpec, RuleSpec

MAX_PACK_BYTES = 512 * 1024


class PackError(ValueError):
    """A pack that cannot be used; ``errors`` lists every problem found, each with its place."""

    def __init__(self, source: str, errors: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(errors))
        self.source = source
        self.errors = errors


@dataclass
class CompiledRule:
    """A rule ready to evaluate."""

    spec: RuleSpec
    when: Node


@dataclass
class RuleResult:
    """One rule on one call: ``hit``, ``pass`` or ``not_measurable``."""

    rule: RuleSpec
    outcome: Outcome

    @property
    def status(self) -> str:
        """How the rule came out: hit, pass or not_measurable."""
        if self.outcome.value is None:
            return "not_measurable"
        return "hit" if self.outcome.value else "pass"


@dataclass
class CompiledPack:
    """A validated, compiled pack and its content version."""

    spec: PackSpec
    version: str
    source: str
    rules: list[CompiledRule]  # in evaluation order: a rule after the rules it anchors to
    keywords: KeywordScopes = field(default_factory=KeywordScopes)

    @property
    def id(self) -> str:
        """The pack id."""
        return self.spec.pack

    def names(self, rule: RuleSpec) -> dict[str, str]:
        """A rule's name per language (zh_CN, en), as the pack gives it."""
        return names_by_language(rule.name, self.spec.language)

    def evaluate(self, conv: Conversation, metrics: Metrics) -> list[RuleResult]:
        """Every rule's result on one conversation, in the pack's order."""
        ctx = Context(conv=conv, metrics=metrics, keywords=self.keywords)
        results = {}
        for rule in self.rules:
            outcome = ctx.evaluate_rule(rule.when)
            ctx.anchors[f"rule:{rule.spec.id}"] = outcome
            results[rule.spec.id] = RuleResult(rule.spec, _about(rule.spec, outcome))
        return [results[r.id] for r in self.spec.rules]


def _about(rule: RuleSpec, outcome: Outcome) -> Outcome:
    """A rule about one party keeps only evidence of that party (and of the call as a whole):
    the customer's complaint is why the agent's apology was expected, not the agent's fault."""
    if rule.about == "any" or not outcome.value:
        return outcome
    own = [e for e in outcome.evidence if e.role in (rule.about, None)]
    if not own:  # nothing of the party's own to show: show what there is
        return outcome
    return Outcome(outcome.value, own, outcome.reason, outcome.scope)


def _reject_aliases(text: str, source: str) -> None:
    # Anchors and aliases are what YAML bombs are made of; packs have no need for them.
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise PackError(
                    source, ["YAML anchors and aliases (&, *) are not allowed in packs"]
                )
    except yaml.YAMLError as exc:
        raise PackError(source, [f"not valid YAML: {exc}"]) from None


def parse(text: str, *, source: str) -> CompiledPack:
    """Parses and compiles a pack from YAML text; raises PackError listing every problem."""
    if len(text.encode()) > MAX_PACK_BYTES:
        raise PackError(source, [f"a pack is at most {MAX_PACK_BYTES // 1024} KB"])
    _reject_aliases(text, source)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PackError(source, [f"not valid YAML: {exc}"]) from None
    return compile_pack(raw, source=source)


def load(path: Path) -> CompiledPack:
    """Loads one pack file."""
    return parse(path.read_text(encoding="utf-8"), source=str(path))


def compile_pack(raw: Any, *, source: str) -> CompiledPack:
    """Validates a parsed pack document and compiles it."""
    try:
        spec = PackSpec.model_validate(raw)
    except ValidationError as exc:
        raise PackError(source, [_place(raw, err) for err in exc.errors()]) from None
    errors: list[str] = []
    compiled: dict[str, CompiledRule] = {}
    for spec_rule in spec.rules:
        if spec_rule.id in compiled:
            errors.append(f"rule {spec_rule.id!r}: the id is used twice")
            continue
        try:
            when = compile_condition(spec_rule.when, operators=OPERATORS, key=spec_rule.id)
        except ConditionError as exc:
            errors.append(f"rule {spec_rule.id!r}: {exc}")
            continue
        _match_by_sound(when, spec.phonetic)
        compiled[spec_rule.id] = CompiledRule(spec_rule, when)
    order = _order(compiled, errors)
    errors += _check_scorecard(spec, compiled)
    if errors:
        raise PackError(source, errors)
    pack = CompiledPack(spec=spec, version=version_of(raw), source=source, rules=order)
    for compiled_rule in pack.rules:
        register_keywords(compiled_rule.when, pack.keywords, spec.synonyms)
    return pack


def _match_by_sound(condition: Node, default: bool | Phonetic) -> None:
    """Gives the pack's ``phonetic`` to the keyword conditions that do not set their own."""
    for node in condition.walk():
        params = node.params
        if isinstance(params, KeywordParams) and "phonetic" not in params.model_fields_set:
            node.params = params.model_copy(update={"phonetic": default})


def version_of(raw: Any) -> str:
    """The content hash of a pack: the same content (whatever the formatting) → the same version."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _place(raw: Any, err: Any) -> str:
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = raw.get("rules") if isinstance(raw, dict) else None
        rule_id = (
            rules[loc[1]].get("id")
            if isinstance(rules, list) and isinstance(rules[loc[1]], dict)
            else None
        )
        field_path = ".".join(str(p) for p in loc[2:]) or "rule"
        return f"rule {rule_id or '#' + str(loc[1] + 1)!r}: {field_path}: {err['msg']}"
    return f"{'.'.join(str(p) for p in loc) or 'pack'}: {err['msg']}"


def _order(rules: dict[str, CompiledRule], errors: list[str]) -> list[CompiledRule]:
    """Rules ordered so that each comes after the rules its anchors name; reports bad anchors."""
    needs: dict[str, set[str]] = {}
    for rule_id, rule in rules.items():
        ids = [n.id for n in rule.when.walk() if n.id]
        needs[rule_id] = set()
        if len(ids) != len(set(ids)):
            errors.append(f"rule {rule_id!r}: condition ids must be unique within a rule")
        for node in rule.when.walk():
            anchor = getattr(node.params, "anchor", None)
            if anchor is None:
                continue
            if anchor.to.startswith("rule:"):
                target = anchor.to[5:]
                if target not in rules:
                    errors.append(f"rule {rule_id!r}: anchor to unknown rule {target!r}")
                needs[rule_id].add(target)
            elif anchor.to not in ids:
                errors.append(
                    f"rule {rule_id!r}: anchor to {anchor.to!r}, "
                    "which no condition in this rule has as its id"
                )
    ordered: list[CompiledRule] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(rule_id: str) -> None:
        if rule_id in done or rule_id not in rules:
            return
        if rule_id in visiting:
            errors.append(f"rule {rule_id!r}: anchors form a cycle")
            return
        visiting.add(rule_id)
        for dependency in sorted(needs[rule_id]):
            visit(dependency)
        visiting.discard(rule_id)
        done.add(rule_id)
        ordered.append(rules[rule_id])

    for rule_id in rules:
        visit(rule_id)
    return ordered


def _check_scorecard(spec: PackSpec, rules: dict[str, CompiledRule]) -> list[str]:
    if spec.scorecard is None:
        return []
    errors, seen = [], set()
    for section in spec.scorecard.sections:
        for item in section.items:
            where = f"scorecard section {section.id!r} item {item.id!r}"
            if item.id in seen:
                errors.append(f"{where}: the item id is used twice")
            seen.add(item.id)
            if item.manual == (item.rule is not None):
                errors.append(f"{where}: an item is either manual or bound to a rule")
            elif item.rule is not None and item.rule not in rules:
                errors.append(f"{where}: unknown rule {item.rule!r}")
    return errors
