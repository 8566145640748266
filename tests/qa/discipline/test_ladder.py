"""The discipline ladder: tiers by earlier violations in a rolling window, red lines start higher,
and a ladder file with a mistake is refused with its place named."""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from services.config import get_settings
from services.qa.discipline import ladder

DAY0 = datetime(2031, 1, 1, tzinfo=UTC)
CONFIG = ladder.parse(
    """
window_days: 90
critical_start: deduction
ladders:
  - id: language
    categories: [forbidden_phrase]
    steps: [{tier: reminder}, {tier: warning}, {tier: deduction, points: 5, amount: 100},
            {tier: severe, points: 10}]
  - id: greeting-rule
    rules: [greeting]
    count_by: rule
    steps: [{tier: warning}, {tier: severe}]
  - id: other
    steps: [{tier: reminder}, {tier: warning}]
""",
    source="test.yaml",
)


def _v(
    n: int, days: float, *, category="forbidden_phrase", rule="forbidden_phrase", critical=False
):
    return ladder.Violation(evaluation_id=n, review_id=n, call_id=n, item_id="item", rule_id=rule,
                            category=category, occurred_at=DAY0 + timedelta(days=days),
                            critical=critical)  # fmt: skip


def _tiers(violations):
    return [p.step.tier for p in ladder.place(CONFIG, violations)]


def test_each_repeat_in_the_window_climbs_one_tier_and_the_last_tier_holds():
    assert _tiers([_v(n, n * 10) for n in range(5)]) == [
        "reminder",
        "warning",
        "deduction",
        "severe",
        "severe",
    ]
    third = ladder.place(CONFIG, [_v(n, n) for n in range(3)])[2]
    assert (third.prior, third.step.points, third.step.amount) == (2, 5, 100)


def test_violations_older_than_the_window_no_longer_count():
    assert _tiers([_v(1, 0), _v(2, 50), _v(3, 100)]) == ["reminder", "warning", "warning"]
    assert _tiers([_v(1, 0), _v(2, 200)]) == ["reminder", "reminder"]


def test_order_of_input_does_not_matter_only_time_does():
    assert _tiers([_v(3, 20), _v(1, 0), _v(2, 10)]) == ["reminder", "warning", "deduction"]


def test_a_red_line_violation_starts_at_deduction_and_counts_for_the_next():
    assert _tiers([_v(1, 0, critical=True), _v(2, 5)]) == ["deduction", "warning"]
    assert _tiers([_v(1, 0), _v(2, 1), _v(3, 2), _v(4, 3, critical=True)])[-1] == "severe"


def test_a_rule_ladder_wins_over_category_and_default_and_counts_by_rule():
    greeting = [_v(n, n, category="greeting", rule="greeting") for n in range(2)]
    closing = [_v(n + 10, n, category="closing", rule="closing") for n in range(3)]
    placed = ladder.place(CONFIG, greeting + closing)
    assert [(p.ladder, p.step.tier) for p in placed if p.ladder == "greeting-rule"] == [
        ("greeting-rule", "warning"),
        ("greeting-rule", "severe"),
    ]
    assert [p.step.tier for p in placed if p.ladder == "other"] == [
        "reminder",
        "warning",
        "warning",
    ]


def test_categories_are_counted_apart_on_the_default_ladder():
    mixed = [_v(1, 0, category="closing", rule="closing"), _v(2, 1, category="silence", rule="x")]
    assert _tiers(mixed) == ["reminder", "reminder"]


def test_a_violation_no_ladder_takes_is_left_out():
    only = ladder.parse(
        "ladders: [{id: a, categories: [closing], steps: [{tier: warning}]}]", source="x"
    )
    assert ladder.place(only, [_v(1, 0)]) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ladders: []", "ladders: List should have at least 1 item"),
        ("ladders: [{id: a, steps: [{tier: fine}]}]", "ladders.0.steps.0.tier: Input should be"),
        (
            "ladders: [{id: a, steps: [{tier: warning}, {tier: reminder}]}]",
            "must not go down the tiers",
        ),
        (
            "ladders: [{id: a, steps: [{tier: warning}]}, {id: b, steps: [{tier: warning}]}]",
            "at most one ladder may leave out rules and categories",
        ),
        ("ladders: [{id: a, categories: [rudeness], steps: [{tier: warning}]}]", "categories.0"),
        ("window_days: 0\nladders: [{id: a, steps: [{tier: warning}]}]", "window_days"),
        ("ladders: [{id: a, steps: [{tier: warning, points: -1}]}]", "points"),
        ("ladders: [{id: a, stpes: []}]", "stpes: Extra inputs are not permitted"),
        ("ladders: [", "not valid YAML"),
        ("- just\n- a list", "Input should be a valid dictionary"),
        ("x: " + "a" * 70_000, "at most 64 KB"),
    ],
)
def test_a_bad_ladder_file_is_refused_naming_the_file_and_field(text, message):
    with pytest.raises(ladder.LadderError) as caught:
        ladder.parse(text, source="ladder.yaml")
    assert str(caught.value).startswith("ladder.yaml: ") and message in str(caught.value)


def test_the_shipped_ladder_loads_and_takes_every_category():
    config = ladder.load(get_settings().discipline_file)
    assert config.window_days == 90 and config.critical_start == "deduction"
    assert config.ladder_for("forbidden_phrase", "forbidden_phrase").id == "service-language"
    assert config.ladder_for("anything", "silence") is not None


def test_a_bad_edit_of_the_ladder_file_keeps_the_last_good_ladder_in_force(tmp_path):
    from services.qa.discipline import service as discipline

    path = tmp_path / "ladder.yaml"
    path.write_text("window_days: 30\nladders: [{id: a, steps: [{tier: warning}]}]")
    assert discipline.config(path).window_days == 30
    path.write_text("window_days: 30\nladders: [{id: a, steps: [{tier: fined}]}]")
    os.utime(path, (time.time() + 5, time.time() + 5))  # a later modification time
    assert discipline.config(path).window_days == 30
    path.write_text("window_days: 60\nladders: [{id: a, steps: [{tier: warning}]}]")
    os.utime(path, (time.time() + 10, time.time() + 10))
    assert discipline.config(path).window_days == 60
