"""The discipline ladder at the smallest values its file takes, at the window's exact end, at
64 KiB, past a violation no ladder takes, and what it counts as a repeat: the same rule (or the
same item, when no rule found it) or the same category."""

from datetime import UTC, datetime, timedelta

import pytest

from services.qa.discipline import ladder

DAY0 = datetime(2031, 1, 1, tzinfo=UTC)


def _text(*, days: str = "90", ladder_id: str = "only", steps: str = "[{tier: reminder}]") -> str:
    return f"window_days: {days}\nladders:\n  - id: {ladder_id}\n    steps: {steps}\n"


@pytest.mark.parametrize(
    ("smallest", "too_small", "field"),
    [
        (_text(days="1"), _text(days="0"), "window_days"),
        (_text(ladder_id="x"), _text(ladder_id='""'), "id"),
        (_text(), _text(steps="[]"), "steps"),
        (
            _text(steps="[{tier: reminder, points: 0, amount: 0}]"),
            _text(steps="[{tier: reminder, points: -0.5}]"),
            "points",
        ),
        (
            _text(steps="[{tier: reminder, points: 0.5, amount: 0.5}]"),
            _text(steps="[{tier: reminder, amount: -0.5}]"),
            "amount",
        ),
    ],
)
def test_the_smallest_value_a_field_takes(smallest: str, too_small: str, field: str):
    ladder.parse(smallest, source="smallest.yaml")
    with pytest.raises(ladder.LadderError, match=field):
        ladder.parse(too_small, source="too-small.yaml")


def test_a_ladder_file_may_have_64_kib_and_not_a_byte_more():
    text = _text()
    full = text + "#" * (65_536 - len(text.encode()) - 1) + "\n"

    assert ladder.parse(full, source="full.yaml").ladders[0].id == "only"
    with pytest.raises(ladder.LadderError, match="at most 64 KB"):
        ladder.parse(full + "\n", source="over.yaml")


def _v(
    n: int, at: datetime, category: str, *, rule: str | None = None, item: str = "item"
) -> ladder.Violation:
    return ladder.Violation(evaluation_id=n, review_id=n, call_id=n, item_id=item, rule_id=rule,
                            category=category, occurred_at=at, critical=False)  # fmt: skip


def test_a_violation_exactly_the_window_after_an_earlier_one_starts_again():
    config = ladder.parse(_text(days="90", steps="[{tier: reminder}, {tier: warning}]"), source="w")
    later = [_v(1, DAY0, "x"), _v(2, DAY0 + timedelta(days=90), "x")]
    within = [_v(1, DAY0, "x"), _v(2, DAY0 + timedelta(days=90, seconds=-1), "x")]

    assert [p.prior for p in ladder.place(config, later)] == [0, 0]
    assert [p.prior for p in ladder.place(config, within)] == [0, 1]


def test_a_violation_no_ladder_takes_is_left_out_and_the_later_ones_still_placed():
    config = ladder.parse(
        "ladders:\n  - id: language\n    categories: [forbidden_phrase]\n"
        "    steps: [{tier: reminder}, {tier: warning}]\n",
        source="no-default.yaml",
    )
    violations = [_v(1, DAY0, "greeting"), _v(2, DAY0 + timedelta(days=1), "forbidden_phrase")]

    placed = ladder.place(config, violations)

    assert [(p.violation.evaluation_id, p.ladder, p.step.tier) for p in placed] == [
        (2, "language", "reminder")
    ]


COUNTING = """
ladders:
  - id: by-rule
    categories: [forbidden_phrase]
    count_by: rule
    steps: [{tier: reminder}, {tier: warning}]
  - id: by-category
    steps: [{tier: reminder}, {tier: warning}]
"""


def _counted(violations: list[ladder.Violation]) -> list[tuple[str, str, int]]:
    placed = ladder.place(ladder.parse(COUNTING, source="counting.yaml"), violations)
    return [(p.ladder, p.counted_as, p.prior) for p in placed]


def test_counted_by_rule_each_rule_climbs_alone_whatever_item_it_was_found_on():
    days = [DAY0 + timedelta(days=d) for d in range(4)]
    found = [
        _v(1, days[0], "forbidden_phrase", rule="rude", item="manner"),
        _v(2, days[1], "forbidden_phrase", rule="blame", item="manner"),
        _v(3, days[2], "forbidden_phrase", rule="rude", item="closing"),
        _v(4, days[3], "forbidden_phrase", rule=None, item="manner"),  # scored by hand
    ]

    assert _counted(found) == [
        ("by-rule", "rude", 0),
        ("by-rule", "blame", 0),
        ("by-rule", "rude", 1),
        ("by-rule", "item:manner", 0),
    ]


def test_counted_by_category_every_rule_of_it_climbs_together():
    days = [DAY0 + timedelta(days=d) for d in range(2)]
    found = [_v(1, days[0], "greeting", rule="hello"), _v(2, days[1], "greeting", rule="name")]

    assert _counted(found) == [("by-category", "greeting", 0), ("by-category", "greeting", 1)]
