"""Seeded simulated centers with planted effects, as the counts a report query would return."""

from datetime import date, timedelta

import numpy as np

from services.reports.coaching import AgentWeek
from services.reports.rates import GroupCount
from services.reports.spc import Proportion

FIRST_MONDAY = date(2026, 1, 5)


def weekly_counts(
    *,
    seed: int,
    teams: int = 4,
    agents_per_team: int = 12,
    weeks: int = 12,
    coached_per_team: int = 4,
    coaching_week: int = 6,
    center_change: float = 0.9,
    coached_change: float = 0.6,
) -> tuple[list[AgentWeek], dict[str, date]]:
    """Agents' weekly counts: every rate × ``center_change`` after the coaching week, coached
    agents' × ``coached_change`` instead. Agents differ in base rate (clustered calls)."""
    rng = np.random.default_rng(seed)
    rows, coached = [], {}
    coaching_monday = FIRST_MONDAY + timedelta(weeks=coaching_week)
    for t in range(teams):
        for a in range(agents_per_team):
            agent, is_coached = f"T{t}-A{a}", a < coached_per_team
            base = 0.10 * rng.lognormal(0, 0.3)
            if is_coached:
                coached[agent] = coaching_monday
            for w in range(weeks):
                change = coached_change if is_coached else center_change
                rate = base * (change if w > coaching_week else 1.0) * rng.lognormal(0, 0.05)
                calls = int(rng.poisson(60))
                violations = int(rng.binomial(calls, min(rate, 1.0)))
                monday = FIRST_MONDAY + timedelta(weeks=w)
                rows.append(AgentWeek(agent, f"T{t}", monday, violations, calls))
    return rows, coached


def training_counts(seed: int) -> tuple[list[GroupCount], dict[str, tuple[int, int]]]:
    """Counts by agent, team and tenure band for three rules; new hires violate R2 2.5 times
    as often as the others, and the other rules as often."""
    rng = np.random.default_rng(seed)
    base = {"R1 核实身份": 0.05, "R2 结束语": 0.08, "R3 禁用语": 0.03}
    tenures = ["0–3 月 new hire", "3–12 月", "1 年以上"]
    per_agent: list[tuple[str, str, str, str, int, int]] = []
    for t in range(5):
        for a in range(10):
            tenure = tenures[a % 3]
            calls = int(rng.poisson(200))
            for rule, rate in base.items():
                if rule.startswith("R2") and tenure == tenures[0]:
                    rate *= 2.5
                violations = int(rng.binomial(calls, rate * rng.lognormal(0, 0.1)))
                per_agent.append((rule, f"T{t}-A{a}", f"T{t}", tenure, violations, calls))
    # A newcomer with two calls, one of them a violation: a high rate that proves little.
    per_agent.append(("R2 结束语", "T0-A99", "T0", tenures[0], 1, 2))
    groups: dict[tuple[str, str, str], list[int]] = {}
    center: dict[str, tuple[int, int]] = {}
    for rule, agent, team, tenure, v, n in per_agent:
        for key in ((rule, "agent", agent), (rule, "team", team), (rule, "tenure", tenure)):
            counts = groups.setdefault(key, [0, 0])
            counts[0] += v
            counts[1] += n
        cv, cn = center.get(rule, (0, 0))
        center[rule] = (cv + v, cn + n)
    rows = [GroupCount(r, d, g, v, n) for (r, d, g), (v, n) in groups.items()]
    return rows, center


def daily_proportions(
    *, seed: int, days: int, calls: int, rate: float, day_spread: float, bad: dict[int, float]
) -> list[Proportion]:
    """Daily violation counts; each day's rate varies by ``day_spread`` (lognormal σ) around
    ``rate``, and the days in ``bad`` have their rate multiplied by the factor given."""
    rng = np.random.default_rng(seed)
    points = []
    for d in range(days):
        n = int(rng.poisson(calls))
        spread = rng.lognormal(0, day_spread) if day_spread else 1.0
        p = rate * bad.get(d, 1.0) * spread
        points.append(Proportion(f"D{d + 1}", int(rng.binomial(n, min(p, 1.0))), n))
    return points
