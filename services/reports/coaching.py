"""Coaching effect by difference-in-differences, with agents as the unit of the interval.

Coached agents' violation rate in the weeks before and after their coaching is compared with
the rate of agents of the same team who were not coached, over the same weeks, so that a
change the whole center went through is not credited to coaching.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class AgentWeek:
    """One agent's calls and violations (of a rule, or of all rules) in the week from ``week``."""

    agent: str
    team: str
    week: date  # the Monday the week starts on, in the center's time zone
    violations: int
    calls: int  # distinct calls compared (a control serving two coached agents counts once)


@dataclass(frozen=True)
class CoachingEffect:
    """The coaching effect on the ratio scale with its 95 % interval, the four rates and n.

    ``effect`` is (coached after / coached before) / (control after / control before) − 1:
    −0.30 means the coached agents' rate fell 30 % further than the control's trend predicts,
    i.e. it ended 30 % below where it would be had it moved like the control's. For example a
    coached fall of 40 % while the control fell 10 % gives 0.6 / 0.9 − 1 = −33 %.
    """

    effect: float
    low: float
    high: float
    coached_before: float
    coached_after: float
    control_before: float
    control_after: float
    coached_agents: int
    control_agents: int
    calls: int  # distinct calls compared (a control serving two coached agents counts once)


def coaching_effect(
    *,
    weeks: Iterable[AgentWeek],
    coached: Mapping[str, date],
    window_weeks: int = 4,
    resamples: int = 2000,
    seed: int = 0,
) -> CoachingEffect:
    """Difference-in-differences of coached agents against uncoached agents of their teams.

    ``coached`` maps each coached agent to the day they were coached. Before is
    the ``window_weeks`` weeks before that week, after the ``window_weeks`` weeks after it (the
    coaching week itself is left out: it is part before, part after). The controls of a coached
    agent are the agents of the same team not coached from the start of before to the end of
    after, counted over the same weeks.

    The interval is a percentile bootstrap over agents (coached and control agents resampled
    separately, each with all their calls), because calls of one agent are not independent: an
    interval over calls would be too narrow.
    """
    if window_weeks < 1:
        raise ValueError("window_weeks must be at least 1 / 窗口至少 1 周")
    if not coached:
        raise ValueError("no coached agents / 没有受辅导的坐席")
    by_agent, team_of = _by_agent(weeks)
    treated, control, calls = _before_after(by_agent, team_of, coached, window_weeks)
    if not control:
        raise ValueError("no uncoached agents in the coached teams / 同组没有未受辅导的坐席")
    t, c = np.array(treated, dtype=float), np.array(control, dtype=float)
    t_total, c_total = t.sum(axis=0), c.sum(axis=0)
    if (t_total[[0, 1, 3]] == 0).any() or (c_total[[0, 1, 3]] == 0).any():
        raise ValueError(
            "no calls or no violations before coaching in a group: no rate to compare "
            "/ 辅导前某组没有通话或违规，无法比较"
        )
    effect = _ratio_of_ratios(t_total, c_total)

    rng = np.random.default_rng(seed)
    t_sums = t[rng.integers(0, len(t), (resamples, len(t)))].sum(axis=1)
    c_sums = c[rng.integers(0, len(c), (resamples, len(c)))].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = _ratio_of_ratios(t_sums.T, c_sums.T)
    # A resample with no violations in a cell has no finite ratio; it says nothing either way.
    low, high = np.quantile(boot[np.isfinite(boot)], [0.025, 0.975])
    return CoachingEffect(
        effect=float(effect),
        low=float(low),
        high=float(high),
        coached_before=float(t_total[0] / t_total[1]),
        coached_after=float(t_total[2] / t_total[3]),
        control_before=float(c_total[0] / c_total[1]),
        control_after=float(c_total[2] / c_total[3]),
        coached_agents=len(t),
        control_agents=len(c),
        calls=calls,
    )


Counts = dict[str, dict[date, tuple[int, int]]]  # agent → week → (violations, calls)


def _by_agent(weeks: Iterable[AgentWeek]) -> tuple[Counts, dict[str, str]]:
    by_agent: Counts = {}
    team_of: dict[str, str] = {}
    for w in weeks:
        if w.calls < 0 or not 0 <= w.violations <= w.calls:
            raise ValueError(f"bad counts for {w.agent} in week {w.week} / 计数无效")
        if w.week.weekday() != 0:
            raise ValueError(f"week {w.week} of {w.agent} is not a Monday / 周起始日须为周一")
        v, n = by_agent.setdefault(w.agent, {}).get(w.week, (0, 0))
        by_agent[w.agent][w.week] = (v + w.violations, n + w.calls)
        team_of[w.agent] = w.team
    return by_agent, team_of


def _before_after(
    by_agent: Counts, team_of: dict[str, str], coached: Mapping[str, date], window_weeks: int
) -> tuple[list[list[int]], list[list[int]], int]:
    """Per coached agent and per control agent: violations and calls before, then after."""
    used: set[tuple[str, date]] = set()  # the agent-weeks compared, for n

    def counts(agent: str, start: date, end: date) -> list[int]:
        inside = [w for w in by_agent.get(agent, {}) if start <= w < end]
        used.update((agent, w) for w in inside)
        return [
            sum(by_agent[agent][w][0] for w in inside),
            sum(by_agent[agent][w][1] for w in inside),
        ]

    window = timedelta(weeks=window_weeks)
    mondays = {a: d - timedelta(days=d.weekday()) for a, d in coached.items()}
    treated: list[list[int]] = []
    control: dict[str, list[int]] = {}
    for agent, monday in mondays.items():
        if agent not in team_of:
            raise ValueError(f"coached agent {agent!r} has no calls / 受辅导坐席没有通话")
        start, after = monday - window, monday + timedelta(weeks=1)
        end = after + window
        treated.append(counts(agent, start, monday) + counts(agent, after, end))
        for other, team in team_of.items():
            # Not a control: another team, or coached itself during these weeks.
            if team != team_of[agent] or start <= mondays.get(other, date.min) < end:
                continue
            # An agent can be the control of several coached agents: their counts add up.
            row = control.setdefault(other, [0, 0, 0, 0])
            both = counts(other, start, monday) + counts(other, after, end)
            control[other] = [a + b for a, b in zip(row, both, strict=True)]
    calls = sum(by_agent[agent][week][1] for agent, week in used)
    return treated, list(control.values()), calls


def _ratio_of_ratios(t: np.ndarray, c: np.ndarray) -> np.ndarray:
    # Rows 0..3: violations before, calls before, violations after, calls after.
    coached = (t[2] / t[3]) / (t[0] / t[1])
    control = (c[2] / c[3]) / (c[0] / c[1])
    return coached / control - 1
