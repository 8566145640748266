"""Session results pooled into rating matrices, and the recalibration rule: outside tolerance
(±10 % of the maximum on a call) in 2 of an inspector's last 3 sessions flags them."""

from datetime import UTC, datetime, timedelta

import pytest

from services.calibration.agreement import (
    AgreementError,
    Answer,
    Scale,
    SessionResult,
    Total,
    in_window,
    item_matrix,
    pool,
    recalibration,
    series,
    total_matrix,
)

START = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)


def session(
    week: int, offsets: dict[str, list[float]], gold: list[float], team: str = "retail"
) -> SessionResult:
    """A session whose inspectors score the expert's totals plus the given offsets."""
    totals = [Total(f"w{week}-c{i}", "expert", g) for i, g in enumerate(gold)]
    totals += [
        Total(f"w{week}-c{i}", inspector, g + d)
        for inspector, deltas in offsets.items()
        for i, (g, d) in enumerate(zip(gold, deltas, strict=True))
    ]
    answers = [
        Answer(f"w{week}-c{i}", "greeting", rater, "yes")
        for i in range(len(gold))
        for rater in ["expert", *offsets]
    ]
    return SessionResult(
        f"s{week}",
        START + timedelta(weeks=week),
        team,
        "expert",
        100,
        tuple(answers),
        tuple(totals),
    )


GOLD = [80.0, 70.0, 90.0, 60.0]


def test_a_call_exactly_at_the_tolerance_is_within() -> None:
    standing = series([session(0, {"a": [10, -10, 0, 0]}, GOLD)], inspector="a")[0]
    assert standing.within_tolerance == 1 and not standing.outside_tolerance
    standing = series([session(0, {"a": [11, 0, 0, 0]}, GOLD)], inspector="a")[0]
    assert standing.within_tolerance == 0.75 and standing.outside_tolerance


def test_two_of_the_last_three_sessions_outside_flag_the_inspector() -> None:
    off, on = [12, 0, 0, 0], [0, 1, -1, 0]
    weeks = {
        "flagged": [on, off, on, off],
        "once": [off, on, on, off],
        "long_ago": [off, off, on, on],
    }
    sessions = [
        session(w, {name: course[w] for name, course in weeks.items()}, GOLD) for w in range(4)
    ]
    flags = recalibration(sessions)
    assert {name: flag.flagged for name, flag in flags.items()} == {
        "flagged": True,
        "once": False,
        "long_ago": False,
    }
    assert [s.session_id for s in flags["flagged"].recent] == ["s1", "s2", "s3"]


def test_the_rule_is_configurable() -> None:
    sessions = [session(w, {"a": [6, 0, 0, 0]}, GOLD) for w in range(3)]
    assert not recalibration(sessions)["a"].flagged
    assert recalibration(sessions, tolerance=0.05)["a"].flagged
    assert not recalibration(sessions, tolerance=0.05, outside=4, last=4)["a"].flagged


def test_series_holds_bias_and_item_agreement_per_session() -> None:
    sessions = [session(w, {"a": [4, 6, 5, 5]}, GOLD) for w in range(2)]
    course = series(sessions, inspector="a")
    assert [s.session_id for s in course] == ["s0", "s1"]
    assert course[0].bias is not None and course[0].bias.value == 5 and course[0].bias.low > 0
    assert course[0].item_agreement is not None and course[0].item_agreement.value == 1
    assert series(sessions, inspector="nobody") == []


def test_pooled_matrices_have_a_row_per_call_in_a_session_and_leave_out_the_expert() -> None:
    sessions = [session(0, {"a": [0] * 4, "b": [1] * 4}, GOLD), session(1, {"a": [2] * 4}, GOLD)]
    totals = total_matrix(sessions)
    assert totals.raters == ("a", "b")
    assert len(totals.rows) == 8
    assert totals.rows[4] == (82.0, None)  # b was not in the second session
    greeting = item_matrix(sessions, item_id="greeting")
    assert greeting.units[:2] == (("s0", "w0-c0"), ("s0", "w0-c1"))
    assert len(greeting.units) == 8
    assert item_matrix(sessions, item_id="greeting", raters=["expert", "a"]).rows[0] == (
        "yes",
        "yes",
    )


def test_pooling_per_team() -> None:
    sessions = [
        session(0, {"a": [3] * 4, "b": [-3] * 4}, GOLD),
        session(1, {"a": [4] * 4, "c": [0, 1, 0, 1]}, GOLD, team="wholesale"),
    ]
    as_of = START + timedelta(weeks=2)
    retail = pool(sessions, scales={"greeting": Scale()}, as_of=as_of, team="retail")
    assert retail.sessions == ("s0",) and set(retail.inspectors) == {"a", "b"}
    assert retail.items["greeting"]["percent_agreement"].n == 4
    everyone = pool(sessions, scales={"greeting": Scale()}, as_of=as_of)
    assert set(everyone.inspectors) == {"a", "b", "c"}
    a = everyone.inspectors["a"].bias
    assert a is not None and a.n == 8 and a.value == 3.5


def test_session_times_carry_a_zone() -> None:
    with pytest.raises(AgreementError, match="time zone"):
        SessionResult("s", datetime(2026, 10, 5, 14, 0), "retail", "expert", 100)
    with pytest.raises(AgreementError, match="max_score"):
        SessionResult("s", START, "retail", "expert", 0)
    with pytest.raises(AgreementError, match="time zone"):
        in_window([], as_of=datetime(2026, 10, 5))
