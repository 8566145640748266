"""The discipline ladder at its edges: a step without points deducts none, the limits of a
ladder file are where the messages say, and a red line on a ladder that never reaches its
critical start lands on the last step."""

from datetime import UTC, datetime

import pytest

from services.qa.discipline import ladder


def _ladder(steps: str, critical_start: str = "deduction") -> ladder.LadderConfig:
    return ladder.parse(
        f"window_days: 90\ncritical_start: {critical_start}\nladders:\n"
        f"  - id: only\n    steps: {steps}\n",
        source="edges.yaml",
    )


def _critical(n: int) -> ladder.Violation:
    return ladder.Violation(
        evaluation_id=n,
        review_id=n,
        call_id=n,
        item_id="abuse",
        rule_id="abusive_language",
        category="forbidden_phrase",
        occurred_at=datetime(2031, 2, n, tzinfo=UTC),
        critical=True,
    )


def test_a_step_without_points_or_amount_deducts_nothing():
    step = _ladder("[{tier: reminder}]").ladders[0].steps[0]

    assert (step.points, step.amount) == (0, 0)


def test_negative_points_are_refused():
    with pytest.raises(ladder.LadderError, match="points"):
        _ladder("[{tier: deduction, points: -1}]")


def test_a_ladder_has_at_most_twenty_steps():
    assert len(_ladder("[" + ", ".join(["{tier: reminder}"] * 20) + "]").ladders[0].steps) == 20
    with pytest.raises(ladder.LadderError, match="steps"):
        _ladder("[" + ", ".join(["{tier: reminder}"] * 21) + "]")


def test_an_oversized_ladder_file_is_refused_naming_the_limit():
    text = "# " + "x" * ladder.MAX_LADDER_BYTES

    with pytest.raises(ladder.LadderError, match="at most 64 KB"):
        ladder.parse(text, source="big.yaml")


def test_a_red_line_on_a_ladder_that_never_reaches_its_critical_start_takes_the_last_step():
    config = _ladder("[{tier: reminder}, {tier: warning}]", critical_start="severe")

    placed = ladder.place(config, [_critical(1)])

    assert [p.step.tier for p in placed] == ["warning"]


def test_a_ladder_file_of_exactly_the_limit_is_read():
    text = "window_days: 90\nladders:\n  - id: only\n    steps: [{tier: reminder}]\n"
    padded = text + "#" * (ladder.MAX_LADDER_BYTES - len(text.encode()) - 1) + "\n"

    assert len(padded.encode()) == ladder.MAX_LADDER_BYTES
    assert ladder.parse(padded, source="full.yaml").window_days == 90


def test_the_window_is_ninety_days_unless_the_file_says_otherwise():
    config = ladder.parse("ladders:\n  - id: only\n    steps: [{tier: reminder}]\n", source="w")

    assert config.window_days == 90


@pytest.mark.parametrize(
    ("field", "largest", "too_large"),
    [("window_days", "3650", "3651"), ("id", "x" * 64, "x" * 65)],
)
def test_the_largest_value_a_field_takes(field: str, largest: str, too_large: str):
    def text(value: str) -> str:
        ladder_id = value if field == "id" else "only"
        days = value if field == "window_days" else "90"
        return (
            f"window_days: {days}\nladders:\n  - id: {ladder_id}\n    steps: [{{tier: reminder}}]\n"
        )

    ladder.parse(text(largest), source="largest.yaml")
    with pytest.raises(ladder.LadderError, match=field):
        ladder.parse(text(too_large), source="too-large.yaml")


def test_a_negative_amount_is_refused():
    with pytest.raises(ladder.LadderError, match="amount"):
        _ladder("[{tier: deduction, amount: -1}]")
