"""Monitor rotation (轮换): each period every area gets a different inspector than last period,
no inspector watches the team they belong to or came from, and the expected workload (sampled
calls per area) is balanced across inspectors.

"Quality checks should not monitor one area on a fixed basis; over time problems become
invisible." Each area is watched by one inspector; an inspector may watch several areas. The
search is seeded, so a period's plan is reproducible.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Inspector:
    """An inspector and the team they belong to or came from."""

    user_id: int
    home_team: str | None


@dataclass(frozen=True)
class AreaLoad:
    """An area, the teams in it, its expected workload and last period's inspector."""

    area_id: int
    teams: frozenset[str]
    workload: float
    previous_inspector: int | None = None
    watching_now: frozenset[int] = frozenset()  # the area's current inspectors (current areas)


class RotationImpossible(ValueError):
    """No assignment satisfies the rules (e.g. one inspector, who watched the only area)."""


def allowed(inspector: Inspector, area: AreaLoad) -> bool:
    """Whether the rules let ``inspector`` watch ``area`` this period."""
    return (
        inspector.user_id != area.previous_inspector
        and inspector.user_id not in area.watching_now
        and inspector.home_team not in area.teams
    )


def loads(
    assignment: dict[int, int], areas: list[AreaLoad], inspectors: list[Inspector]
) -> dict[int, float]:
    """Each inspector's expected workload under an area → inspector assignment."""
    total = {i.user_id: 0.0 for i in inspectors}
    for area in areas:
        total[assignment[area.area_id]] += area.workload
    return total


def imbalance(
    assignment: dict[int, int], areas: list[AreaLoad], inspectors: list[Inspector]
) -> float:
    """The largest deviation of one inspector's workload from the mean, as a share of the mean."""
    values = list(loads(assignment, areas, inspectors).values())
    mean = sum(values) / len(values)
    return max(abs(v - mean) for v in values) / mean if mean else 0.0


def plan(
    inspectors: list[Inspector], areas: list[AreaLoad], *, seed: str, tries: int = 2000
) -> dict[int, int]:
    """Area → inspector for the next period, as balanced as the rules allow."""
    rng = random.Random(seed)
    best: dict[int, int] | None = None
    best_score = float("inf")
    for _ in range(tries):
        candidate = _draw(inspectors, areas, rng)
        if candidate is None:
            continue
        score = imbalance(candidate, areas, inspectors)
        if score < best_score:
            best, best_score = candidate, score
    if best is None:
        raise RotationImpossible(
            "no assignment keeps every area off last period's inspector "
            "and every inspector off their own team"
        )
    return best


def _draw(
    inspectors: list[Inspector], areas: list[AreaLoad], rng: random.Random
) -> dict[int, int] | None:
    """A random rule-abiding assignment: heaviest areas first, each to a light allowed inspector."""
    load = {i.user_id: 0.0 for i in inspectors}
    order = sorted(areas, key=lambda a: (-a.workload, rng.random()))
    chosen: dict[int, int] = {}
    for area in order:
        options = [i for i in inspectors if allowed(i, area)]
        if not options:
            return None
        lightest = min(load[i.user_id] for i in options)
        # Mostly the least loaded inspector; sometimes another, so the search explores.
        near = [i for i in options if load[i.user_id] <= lightest + area.workload * rng.random()]
        pick = rng.choice(near)
        chosen[area.area_id] = pick.user_id
        load[pick.user_id] += area.workload
    return chosen
