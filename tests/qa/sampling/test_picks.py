"""Picking calls for review, as pure functions: the bounds of a period in the center's clocks,
risky calls first up to the caps, then one random call per equal slot of the period, and an
empty slot's pick from anywhere. No database: every case states its candidates."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.i18n import _, readable
from services.qa.sampling.picks import Candidate, period_bounds, pick, previous_period
from services.qa.sampling.schemas import PlanSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 2031-01-15, 01:30 in Shanghai: still the 14th in UTC.
AT = datetime(2031, 1, 14, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "first", "after"),
    [
        ("day", datetime(2031, 1, 15), datetime(2031, 1, 16)),
        ("week", datetime(2031, 1, 13), datetime(2031, 1, 20)),
        ("month", datetime(2031, 1, 1), datetime(2031, 2, 1)),
    ],
)
def test_a_period_is_cut_by_the_centers_clocks(period, first, after):
    start, end = period_bounds(period, AT, SHANGHAI)

    assert start == first.replace(tzinfo=SHANGHAI) and end == after.replace(tzinfo=SHANGHAI)
    assert start.utcoffset() == timedelta(0)  # returned in UTC


def test_a_time_given_in_another_zone_is_the_same_instant():
    evening = datetime(2031, 1, 15, 20, tzinfo=SHANGHAI)  # 12:00 UTC

    assert period_bounds("day", evening, SHANGHAI) == (
        datetime(2031, 1, 15, tzinfo=SHANGHAI),
        datetime(2031, 1, 16, tzinfo=SHANGHAI),
    )


def test_a_naive_time_is_read_as_utc():
    assert period_bounds("day", AT.replace(tzinfo=None)) == period_bounds("day", AT)
    day = datetime(2031, 1, 14, tzinfo=UTC)
    assert period_bounds("day", AT) == (day, day + timedelta(days=1))


@pytest.mark.parametrize(
    ("month", "after"),
    [(datetime(2031, 2, 10, tzinfo=UTC), datetime(2031, 3, 1, tzinfo=UTC)),
     (datetime(2031, 12, 31, tzinfo=UTC), datetime(2032, 1, 1, tzinfo=UTC))],
)  # fmt: skip
def test_a_month_ends_where_the_next_begins(month, after):
    assert period_bounds("month", month)[1] == after


@pytest.mark.parametrize(
    ("period", "first", "after"),
    [
        ("day", datetime(2031, 1, 13, tzinfo=UTC), datetime(2031, 1, 14, tzinfo=UTC)),
        ("week", datetime(2031, 1, 6, tzinfo=UTC), datetime(2031, 1, 13, tzinfo=UTC)),
        ("month", datetime(2030, 12, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)),
    ],
)
def test_the_previous_period_is_the_last_complete_one(period, first, after):
    assert previous_period(period, AT) == (first, after)


WEEK = period_bounds("week", AT)
LEFTOVER = "random (its slot of the period had no call)"


def _slot(slot: int, of: int) -> str:
    """The reason a slot's pick gives, in the language the tests run in (en or the default)."""
    return _("random, slot {slot} of {wanted} of the period", slot=slot, wanted=of)


def _spec(**changes) -> PlanSpec:
    fields = {"name": "t", "per_agent": 2, "new_hire_per_agent": 2, "per_agent_cap": 4,
              "always": {"cap": 2}, "seed": 1}  # fmt: skip
    return PlanSpec(**{**fields, **changes})


def _pick(calls: list[Candidate], *, quota: int = 2, **spec) -> list[tuple[int, str, str]]:
    start, end = WEEK
    chosen = pick(calls, spec=_spec(**spec), quotas={"A": quota}, start=start, end=end)
    return [(p.call_id, p.kind, readable(p.reason)) for p in chosen]


def _at(hours: float, call_id: int, risk: int | None = None) -> Candidate:
    return Candidate(call_id, "A", WEEK[0] + timedelta(hours=hours), risk, f"risk {call_id}")


def test_risky_calls_come_first_worst_first_within_the_cap():
    calls = [_at(1, 1, risk=2), _at(2, 2, risk=0), _at(3, 3, risk=1), _at(4, 4)]

    assert _pick(calls, quota=2) == [(2, "risk", "risk 2"), (3, "risk", "risk 3")]


def test_risk_picks_are_capped_by_the_plans_per_agent_cap_too():
    calls = [_at(i, i, risk=1) for i in range(1, 6)]

    assert [c for c, *_ in _pick(calls, quota=1, per_agent_cap=3, always={"cap": 10})] == [1, 2, 3]


def test_random_picks_fill_the_quota_after_the_risky_ones_up_to_the_cap():
    calls = [_at(1, 1, risk=1)] + [_at(h, 10 + h) for h in range(0, 168, 6)]

    chosen = _pick(calls, quota=6)  # quota above the cap of 4: one risky, three random

    assert [k for _, k, _ in chosen] == ["risk", "random", "random", "random"]
    assert len({c for c, *_ in chosen}) == 4


def test_an_agent_not_in_the_quotas_gets_the_plans_per_agent():
    start, end = WEEK
    calls = [_at(h, h) for h in range(0, 168, 12)]

    chosen = pick(calls, spec=_spec(per_agent=3), quotas={}, start=start, end=end)

    assert len(chosen) == 3 and all(p.kind == "random" for p in chosen)


def test_a_quota_met_by_risky_calls_adds_no_random_one():
    calls = [_at(1, 1, risk=0), _at(2, 2, risk=0), _at(3, 3), _at(100, 4)]

    assert [k for _, k, _ in _pick(calls, quota=2)] == ["risk", "risk"]
    assert [k for _, k, _ in _pick(calls, quota=1)] == ["risk", "risk"]


def test_a_call_on_a_slot_boundary_belongs_to_the_later_slot():
    middle = (WEEK[1] - WEEK[0]) / 2 / timedelta(hours=1)

    assert _pick([_at(middle, 7)]) == [(7, "random", _slot(2, 2))]
    assert _pick([_at(0, 8)]) == [(8, "random", _slot(1, 2))]


def test_each_slot_gives_one_call_and_an_empty_slots_pick_comes_from_anywhere():
    # Three slots of 56 h: two calls in the first, one in the last, none in the middle.
    calls = [_at(1, 1), _at(2, 2), _at(150, 3)]

    chosen = _pick(calls, quota=3)

    slots = [r for _, _, r in chosen]
    assert slots[0] == _slot(1, 3)
    assert slots[1] == _slot(3, 3)
    assert slots[2] == _(LEFTOVER)
    assert sorted(c for c, *_ in chosen) == [1, 2, 3]
    assert chosen[1][0] == 3


def test_there_are_never_more_leftover_picks_than_empty_slots():
    calls = [_at(1, i) for i in range(1, 6)]  # all in the first of four slots

    chosen = _pick(calls, quota=4)

    reasons = [r for _, _, r in chosen]
    assert reasons.count(_slot(1, 4)) == 1
    assert reasons.count(_(LEFTOVER)) == 3
    assert len({c for c, *_ in chosen}) == 4


def test_an_agent_without_calls_left_gets_only_the_risky_ones():
    assert _pick([_at(1, 1, risk=1)], quota=3) == [(1, "risk", "risk 1")]


def test_the_same_seed_gives_the_same_picks_another_seed_others():
    calls = [_at(h / 4, h) for h in range(600)]

    first, again = _pick(calls, quota=4, seed=3), _pick(calls, quota=4, seed=3)

    assert first == again and first != _pick(calls, quota=4, seed=4)


def test_a_quota_of_one_is_one_random_call_from_the_whole_period():
    calls = [_at(h, h) for h in range(0, 168, 24)]

    assert [(k, r) for _, k, r in _pick(calls, quota=1)] == [("random", _slot(1, 1))]
