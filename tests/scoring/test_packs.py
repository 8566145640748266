"""Rule packs: the shipped ones pass their own tests; bad ones are refused, naming the place."""

import subprocess
import sys
from pathlib import Path

import pytest

from services.config import get_settings
from services.scoring.rules import pack as pack_module
from services.scoring.rules import packtests, registry

RULES = Path(__file__).resolve().parents[2] / "rules"
RUDE = "keyword: {any: [whatever], role: agent}"
MINIMAL = """
pack: tiny
name: Tiny
language: en
rules:
  - id: rude
    name: Rude
    category: forbidden_phrase
    when: {keyword: {any: [whatever], role: agent}}
"""


@pytest.mark.parametrize("path", sorted(RULES.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_pack_passes_its_test_cases(path: Path):
    pack = pack_module.load(path)

    count, failures = packtests.run(pack)

    assert count >= 30
    assert failures == []
    categories = {r.category for r in pack.spec.rules}
    assert {
        "greeting",
        "closing",
        "forbidden_phrase",
        "escalation_risk",
        "silence",
        "overtalk",
    } <= categories


def test_every_operator_is_listed_with_its_parameters():
    names = {op["name"] for op in registry.describe()}
    assert {"keyword", "regex", "not_regex", "similar", "repetition", "silence", "overtalk",
            "speech_rate", "response_latency", "duration", "talk_ratio", "loudness",
            "sentiment"} <= names  # fmt: skip
    keyword = next(op for op in registry.describe() if op["name"] == "keyword")
    assert "window" in keyword["params"]["properties"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((RUDE, "shouting: {loud: true}"), "rule 'rude': when: unknown operator 'shouting'"),
        ((RUDE, "regex: {pattern: '(unclosed'}"), "rule 'rude': when.regex.pattern"),
        (("    category: forbidden_phrase\n", ""), "rule 'rude': category: Field required"),
        (("forbidden_phrase", "rudeness"), "rule 'rude': category: Input should be"),
        (("role: agent", "role: boss"), "rule 'rude': when.keyword.role"),
        (("any: [whatever]", "any: [whatever], all: [x]"), "use exactly one of any, all, none"),
        ((RUDE, "keyword: {any: [x], anchor: {to: nowhere}}"), "anchor to 'nowhere'"),
        (("language: en", "language: en\nsurprise: 1"), "surprise: Extra inputs are not permitted"),
    ],
)
def test_malformed_packs_are_refused_naming_the_place(change, expected):
    text = MINIMAL.replace(*change)
    assert text != MINIMAL

    with pytest.raises(pack_module.PackError) as raised:
        pack_module.parse(text, source="tiny.yaml")

    assert str(raised.value).startswith("tiny.yaml: ")
    assert expected in str(raised.value)


def test_yaml_bomb_is_refused_before_it_expands():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"  # noqa: E501

    with pytest.raises(pack_module.PackError, match="anchors and aliases"):
        pack_module.parse(bomb, source="bomb.yaml")


@pytest.mark.parametrize(
    "text",
    ["", "just a string", "[1, 2]", "pack: [", "\x00\x01", "rules: " + "[" * 200 + "]" * 200],
)
def test_garbage_is_refused_not_crashed_on(text):
    with pytest.raises(pack_module.PackError):
        pack_module.parse(text, source="junk.yaml")


def test_anchor_cycles_between_rules_are_refused():
    text = (
        MINIMAL
        + """
  - id: a
    name: A
    category: other
    when: {keyword: {any: [x], anchor: {to: "rule:b"}}}
  - id: b
    name: B
    category: other
    when: {keyword: {any: [y], anchor: {to: "rule:a"}}}
"""
    )
    with pytest.raises(pack_module.PackError, match="cycle"):
        pack_module.parse(text, source="cycle.yaml")


def test_version_is_the_content_hash_not_the_formatting():
    same = pack_module.parse(MINIMAL + "\n# a comment\n", source="a")
    other = pack_module.parse(MINIMAL.replace("whatever", "whatever, meh"), source="b")

    assert pack_module.parse(MINIMAL, source="c").version == same.version != other.version


def test_rules_test_command_reports_failures_with_exit_code(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINIMAL + '    tests: {hit: ["agent: hello there"]}\n')
    zhijian = [sys.executable, "-m", "services.cli"]

    ok = subprocess.run([*zhijian, "rules", "test"], capture_output=True, text=True, timeout=120)
    bad = subprocess.run(
        [*zhijian, "rules", "test", str(broken)], capture_output=True, text=True, timeout=120
    )

    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "zh-service" in ok.stdout and "en-service" in ok.stdout
    assert bad.returncode == 1
    assert "rule 'rude': expected hit, got pass" in bad.stdout


def test_a_broken_pack_file_leaves_the_running_pack_in_place(tmp_path: Path):
    from services.scoring import service as scoring_service

    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL)
    before = scoring_service.packs(rules_dir=tmp_path)
    path.write_text(MINIMAL.replace("category: forbidden_phrase", "category: nonsense"))
    import os

    os.utime(path, (1, 1))

    after = scoring_service.packs(rules_dir=tmp_path)

    assert [p.version for p in after] == [p.version for p in before]
    assert get_settings().rules_dir.is_dir()


CARD = """
scorecard:
  name: Card
  sections:
    - id: s
      name: S
      items:
        - {id: rude, name: Rude, points: 10, rule: rude}
        - {id: manner, name: Manner, points: 10, manual: true, category: courtesy,
           violation_when: WHEN}
"""


@pytest.mark.parametrize(
    ("when", "parsed"),
    [("fail", "fail"), ("any_loss", "any_loss"), ("{below: 6}", {"below": 6.0})],
)
def test_a_scorecard_item_says_what_the_ladder_counts_it_as(when, parsed):
    card = pack_module.parse(MINIMAL + CARD.replace("WHEN", when), source="card").spec.scorecard
    assert card is not None
    manner = card.sections[0].items[1]

    assert manner.category == "courtesy"
    assert manner.model_dump(mode="json")["violation_when"] == parsed
    assert card.sections[0].items[0].violation_when is None  # a rule item's default: any loss


@pytest.mark.parametrize("when", ["sometimes", "{below: 0}", "{above: 3}"])
def test_an_unknown_violation_rule_is_refused_naming_the_item(when):
    with pytest.raises(pack_module.PackError, match="violation_when"):
        pack_module.parse(MINIMAL + CARD.replace("WHEN", when), source="card")


@pytest.mark.parametrize("path", sorted(RULES.glob("*.yaml")), ids=lambda p: p.name)
def test_each_shipped_manual_item_has_its_own_category_and_counts_only_when_failed(path: Path):
    card = pack_module.parse(path.read_text(encoding="utf-8"), source=path.name).spec.scorecard
    assert card is not None
    manual = [i for s in card.sections for i in s.items if i.manual]

    assert manual and all(i.violation_when == "fail" for i in manual)
    categories = [i.category for i in manual]
    assert None not in categories and len(set(categories)) == len(categories)
