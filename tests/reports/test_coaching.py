"""Coaching effect (difference-in-differences, agents as the unit).

Simulated center, seeded: 4 teams of 12 agents, 12 weeks, about 60 calls an agent a week,
agents' base rates differ. After week 6 every rate falls 10 %; 4 coached agents per team
instead fall 40 %. The effect on the ratio scale is 0.6 / 0.9 − 1 = −33 % (the coached rate
ends a third below where the control's trend would have taken it), its CI excludes 0. With no
coaching effect planted, the CI includes 0, in most seeds as a 95 % interval should.
"""

from datetime import date, timedelta

import pytest

from services.reports.coaching import AgentWeek, coaching_effect
from tests.reports.simulate import weekly_counts


def test_planted_coaching_effect_is_found_with_a_ci_that_excludes_zero() -> None:
    weeks, coached = weekly_counts(seed=1)
    effect = coaching_effect(weeks=weeks, coached=coached, window_weeks=4, seed=1)
    assert effect.effect == pytest.approx(0.6 / 0.9 - 1, abs=0.07)
    assert effect.low < effect.effect < effect.high < 0
    assert effect.coached_after / effect.coached_before == pytest.approx(0.6, abs=0.07)
    assert effect.control_after / effect.control_before == pytest.approx(0.9, abs=0.05)
    assert (effect.coached_agents, effect.control_agents) == (16, 32)
    assert effect.calls == pytest.approx(48 * 8 * 60, rel=0.05)


def test_no_planted_effect_gives_a_ci_that_includes_zero() -> None:
    weeks, coached = weekly_counts(seed=2, coached_change=0.9)
    effect = coaching_effect(weeks=weeks, coached=coached, seed=2)
    assert effect.low < 0 < effect.high


def test_the_interval_covers_a_null_effect_about_95_percent_of_the_time() -> None:
    covered = 0
    for seed in range(40):
        weeks, coached = weekly_counts(seed=100 + seed, coached_change=0.9)
        effect = coaching_effect(weeks=weeks, coached=coached, resamples=1000, seed=seed)
        covered += effect.low < 0 < effect.high
    # 38 of 40 expected; fewer than 34 would be an interval too narrow (calls treated as
    # independent instead of agents, say), P(< 34 | 95 %) < 1 %.
    assert covered >= 34


def test_the_same_seed_gives_the_same_interval() -> None:
    weeks, coached = weekly_counts(seed=1)
    assert coaching_effect(weeks=weeks, coached=coached, seed=9) == coaching_effect(
        weeks=weeks, coached=coached, seed=9
    )


def test_an_agent_coached_near_the_window_is_no_control() -> None:
    weeks, coached = weekly_counts(seed=1)
    late = dict(coached, **{"T0-A5": date(2026, 3, 9)})  # coached in the coached agents' after
    effect = coaching_effect(weeks=weeks, coached=late)
    assert effect.coached_agents == 17
    assert effect.control_agents == 31


def test_a_team_without_uncoached_agents_is_refused() -> None:
    weeks = [AgentWeek("a", "T", date(2026, 1, 5) + timedelta(weeks=i), 3, 50) for i in range(10)]
    with pytest.raises(ValueError, match="uncoached"):
        coaching_effect(weeks=weeks, coached={"a": date(2026, 1, 26)})


def test_impossible_counts_are_refused() -> None:
    weeks = [AgentWeek("a", "T", date(2026, 1, 5), 6, 5)]
    with pytest.raises(ValueError, match="bad counts"):
        coaching_effect(weeks=weeks, coached={"a": date(2026, 1, 5)})


def test_a_coaching_day_counts_as_its_week() -> None:
    weeks, coached = weekly_counts(seed=1)
    wednesday = {agent: day + timedelta(days=2) for agent, day in coached.items()}
    assert coaching_effect(weeks=weeks, coached=wednesday) == coaching_effect(
        weeks=weeks, coached=coached
    )


def test_a_week_that_does_not_start_on_monday_is_refused() -> None:
    weeks = [AgentWeek("a", "T", date(2026, 1, 6), 1, 5)]
    with pytest.raises(ValueError, match="Monday"):
        coaching_effect(weeks=weeks, coached={"a": date(2026, 1, 6)})
