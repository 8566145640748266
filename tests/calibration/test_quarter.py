"""A simulated quarter of calibration: six inspectors score 12 weekly sessions of 4 calls each
against an expert. One is lenient (about +8 points of 100), one severe (about −10), four are
unbiased with noise. Pooled over the 90-day window and session by session, the statistics name
the lenient and the severe inspector (their bias interval excludes 0), flag both for
recalibration, and flag no one else.

The scorecard: six yes/no items of 5 points and a manual attitude score of up to 70 points. Every
inspector misjudges a yes/no item now and then; the bias is in the manual score, where leniency
and severity show in practice.

The seed is fixed, and with it every assertion holds. That is not so in every quarter: over seeds
0–59 all of them hold in 58 %. The pooled naming misses in 13 % (four unbiased inspectors each
have a 5 % chance of an interval that excludes 0), the recalibration flag in 18 % (+8 is close to
the 10-point tolerance), the session-by-session naming in 25 % (4 calls per session).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from services.calibration.agreement import (
    Answer,
    Scale,
    SessionResult,
    Total,
    in_window,
    leaning,
    pool,
    recalibration,
    series,
)

SEED = 1
BIAS = {"li": 8.0, "wang": -10.0, "zhao": 0.0, "chen": 0.0, "liu": 0.0, "sun": 0.0}
LENIENT, SEVERE = "li", "wang"
ITEMS = ("greeting", "verification", "hold", "empathy", "disclosure", "closing")
SCALES = {item: Scale("nominal", ("yes", "no")) for item in ITEMS} | {"attitude": Scale("interval")}
NOISE = 4.0  # points of the manual score an unbiased inspector is off by (standard deviation)
SLIP = 0.2  # chance of judging a yes/no item by a guess rather than by the call
FIRST = datetime(2026, 7, 6, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
END_OF_QUARTER = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 1 October, midnight in Shanghai


def simulate_quarter(seed: int = SEED) -> list[SessionResult]:
    """12 weekly sessions of 4 calls: the expert's answers, and each inspector's blind ones."""
    rng = np.random.default_rng(seed)
    sessions = []
    for week in range(12):
        session_id = f"cal-{week + 1:02d}"
        answers, totals = [], []
        for c in range(4):
            call = f"{session_id}-call-{c + 1}"
            passed = {item: rng.random() < 0.9 for item in ITEMS}
            attitude = int(rng.integers(35, 61))
            answers += [Answer(call, i, "expert", "yes" if p else "no") for i, p in passed.items()]
            answers.append(Answer(call, "attitude", "expert", attitude))
            totals.append(Total(call, "expert", 5 * sum(passed.values()) + attitude))
            for inspector, shift in BIAS.items():
                # A slip is a fresh guess at the usual pass rate: noise, not a bias.
                seen = {
                    i: rng.random() < 0.9 if rng.random() < SLIP else p for i, p in passed.items()
                }
                score = int(np.clip(round(attitude + shift + rng.normal(0, NOISE)), 0, 70))
                answers += [
                    Answer(call, i, inspector, "yes" if p else "no") for i, p in seen.items()
                ]
                answers.append(Answer(call, "attitude", inspector, score))
                totals.append(Total(call, inspector, 5 * sum(seen.values()) + score))
        held_at = (FIRST + timedelta(weeks=week)).astimezone(UTC)
        sessions.append(
            SessionResult(
                session_id, held_at, "retail", "expert", 100, tuple(answers), tuple(totals)
            )
        )
    return sessions


def test_pooled_quarter_names_the_lenient_and_the_severe_inspector() -> None:
    quarter = pool(simulate_quarter(), scales=SCALES, as_of=END_OF_QUARTER)
    assert len(quarter.sessions) == 12
    named = {name: found.leaning for name, found in quarter.inspectors.items()}
    assert named == {LENIENT: "lenient", SEVERE: "severe"} | {
        name: "none" for name in BIAS if name not in (LENIENT, SEVERE)
    }
    lenient = quarter.inspectors[LENIENT].bias
    severe = quarter.inspectors[SEVERE].bias
    assert lenient is not None and severe is not None
    assert lenient.n == 48 and 6 < lenient.value < 10 and lenient.low > 0
    assert -12 < severe.value < -8 and severe.high < 0
    assert lenient.p_value is not None and lenient.p_value < 0.001
    for found in quarter.inspectors.values():  # yes/no answers: everyone slips alike
        assert found.agreement is not None and found.agreement.n == 48 * len(ITEMS)
        assert found.ac1 is not None and found.ac1.value > 0.8


def test_pooled_quarter_measures_agreement_per_item_and_on_totals() -> None:
    quarter = pool(simulate_quarter(), scales=SCALES, as_of=END_OF_QUARTER)
    for item in ITEMS:
        found = quarter.items[item]
        assert found["ac1"].n == 48 and found["ac1"].value > 0.8
        assert found["percent_agreement"].value > 0.85
    assert quarter.items["attitude"]["alpha_interval"].n == 48
    assert {"icc_1_1", "icc_2_1", "icc_3_1", "alpha_interval"} <= set(quarter.totals)
    # Absolute agreement suffers from the biased inspectors; consistency does not.
    assert quarter.totals["icc_2_1"].value < quarter.totals["icc_3_1"].value


def test_session_by_session_the_biased_inspectors_stand_out() -> None:
    sessions = simulate_quarter()
    for name, shift in BIAS.items():
        course = series(sessions, inspector=name, items=ITEMS)
        assert len(course) == 12 and all(s.calls == 4 for s in course)
        assert all(s.item_agreement and s.item_agreement.n == 4 * len(ITEMS) for s in course)
        leanings = [leaning(s.bias) for s in course if s.bias is not None]
        expected = {8.0: "lenient", -10.0: "severe", 0.0: "none"}[shift]
        assert leanings.count(expected) > 6, (name, leanings)


def test_recalibration_flags_exactly_the_lenient_and_the_severe_inspector() -> None:
    flags = recalibration(simulate_quarter())
    assert {name for name, flag in flags.items() if flag.flagged} == {LENIENT, SEVERE}
    assert all(len(flag.recent) == 3 for flag in flags.values())
    assert sum(s.outside_tolerance for s in flags[LENIENT].recent) >= 2
    # Without a choice of items, agreement is over every answer, attitude scores included.
    assert all(s.item_agreement and s.item_agreement.n == 4 * 7 for s in flags[LENIENT].recent)


def test_the_window_keeps_the_last_90_days() -> None:
    sessions = simulate_quarter()
    kept = in_window(sessions, as_of=END_OF_QUARTER, days=30)  # from 31 August, 16:00 UTC
    assert [s.session_id for s in kept] == ["cal-10", "cal-11", "cal-12"]
    assert in_window(sessions, as_of=END_OF_QUARTER, team="wholesale") == []
    empty = pool(sessions, scales=SCALES, as_of=FIRST - timedelta(days=1))
    assert empty.sessions == () and empty.totals == {} and empty.inspectors == {}
    assert all(found == {} for found in empty.items.values())
    late = pool(sessions, scales=SCALES, as_of=END_OF_QUARTER + timedelta(days=30))
    assert late.sessions == tuple(f"cal-{w:02d}" for w in range(5, 13))  # from 1 August
