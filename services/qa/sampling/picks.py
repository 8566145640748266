"""Choosing calls for review: risk first (capped), then random picks spread over the period.

Pure functions over candidates, so a run is reproducible: the same candidates, plan and seed
give the same picks, each with the reason it was picked.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from services.i18n import N_, stored
from services.qa.sampling.schemas import PlanSpec


@dataclass(frozen=True)
class Candidate:
    """A call that may be sampled."""

    call_id: int
    agent_id: str
    at: datetime
    risk_rank: int | None = None  # 0 red line, 1 escalation / flagged, 2 low score; None: no risk
    risk_reason: str = ""  # a Message as stored text (services.i18n.stored)


@dataclass(frozen=True)
class Pick:
    """A call picked for review."""

    call_id: int
    agent_id: str
    kind: str  # risk | random
    reason: str  # a Message as stored text: each reader sees it in their language


def period_bounds(period: str, at: datetime, tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """The day, week (from Monday) or month containing ``at`` as the clocks of ``tz`` cut them
    (the center's time zone), in UTC."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    day = date(local.year, local.month, local.day)
    if period == "day":
        first, after = day, day + timedelta(days=1)
    elif period == "week":
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    return _midnight(first, tz), _midnight(after, tz)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def previous_period(period: str, now: datetime, tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """The last complete period before ``now``."""
    start, _end = period_bounds(period, now, tz)
    return period_bounds(period, start - timedelta(seconds=1), tz)


def pick(
    candidates: list[Candidate],
    *,
    spec: PlanSpec,
    quotas: dict[str, int],
    start: datetime,
    end: datetime,
) -> list[Pick]:
    """Every agent's picks: risky calls first (up to the cap), then random ones spread evenly."""
    by_agent: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_agent.setdefault(c.agent_id, []).append(c)
    picks: list[Pick] = []
    for agent in sorted(by_agent):
        rng = random.Random(f"{spec.seed}:{start.isoformat()}:{agent}")
        quota = quotas.get(agent, spec.per_agent)
        picks += _agent_picks(sorted(by_agent[agent], key=lambda c: (c.at, c.call_id)),
                              quota=quota, spec=spec, start=start, end=end, rng=rng)  # fmt: skip
    return picks


def _agent_picks(
    calls: list[Candidate],
    *,
    quota: int,
    spec: PlanSpec,
    start: datetime,
    end: datetime,
    rng: random.Random,
) -> list[Pick]:
    risky = sorted(
        (c for c in calls if c.risk_rank is not None), key=lambda c: (c.risk_rank, c.at, c.call_id)
    )
    risky = risky[: min(spec.always.cap, spec.per_agent_cap)]
    chosen = [Pick(c.call_id, c.agent_id, "risk", c.risk_reason) for c in risky]
    taken = {c.call_id for c in risky}
    wanted = min(max(quota - len(chosen), 0), spec.per_agent_cap - len(chosen))
    pool = [c for c in calls if c.call_id not in taken]
    if wanted <= 0 or not pool:
        return chosen
    # One random call from each of `wanted` equal slots of the period, so reviews see the whole
    # period and not only its busiest day; an empty slot's pick comes from anywhere.
    width = (end - start) / wanted
    leftovers = 0
    for slot in range(wanted):
        lo, hi = start + slot * width, start + (slot + 1) * width
        in_slot = [c for c in pool if lo <= c.at < hi]
        if not in_slot:
            leftovers += 1
            continue
        c = rng.choice(in_slot)
        pool.remove(c)
        why = N_("random, slot {slot} of {wanted} of the period", slot=slot + 1, wanted=wanted)
        chosen.append(Pick(c.call_id, c.agent_id, "random", stored(why)))
    for c in rng.sample(pool, min(leftovers, len(pool))):
        chosen.append(
            Pick(
                c.call_id,
                c.agent_id,
                "random",
                stored(N_("random (its slot of the period had no call)")),
            )
        )
    return chosen
