"""How rotation measures an uneven workload: the largest deviation from the mean, as a share
of the mean, on assignments worked out by hand."""

import pytest

from services.qa.rotation import roster as rotation

INSPECTORS = [rotation.Inspector(1, None), rotation.Inspector(2, None)]


def _areas(*workloads: float) -> list[rotation.AreaLoad]:
    return [rotation.AreaLoad(n, frozenset(), w) for n, w in enumerate(workloads)]


def test_an_uneven_assignment_measures_its_spread():
    areas = _areas(30, 10, 20)
    # Inspector 1: 50, inspector 2: 10; the mean is 30, the largest deviation 20.
    assignment = {0: 1, 1: 2, 2: 1}

    assert rotation.loads(assignment, areas, INSPECTORS) == {1: 50.0, 2: 10.0}
    assert rotation.imbalance(assignment, areas, INSPECTORS) == pytest.approx(20 / 30)


def test_an_even_assignment_has_no_spread():
    areas = _areas(30, 10, 20)

    assert rotation.imbalance({0: 1, 1: 2, 2: 2}, areas, INSPECTORS) == 0.0


def test_the_plan_picks_the_most_even_assignment_the_rules_allow():
    areas = _areas(40, 30, 20, 10)

    assignment = rotation.plan(INSPECTORS, areas, seed="even")

    assert rotation.loads(assignment, areas, INSPECTORS) == {1: 50.0, 2: 50.0}


def test_areas_without_workload_are_balanced():
    assert rotation.imbalance({0: 1, 1: 2}, _areas(0, 0), INSPECTORS) == 0.0


def test_one_draw_places_the_heaviest_area_first_and_balances_around_it():
    # 30 to one inspector, the three 10s to the other: light areas first could not see it coming.
    areas = _areas(10, 30, 10, 10)

    for seed in ("a", "b", "c"):
        assignment = rotation.plan(INSPECTORS, areas, seed=seed, tries=1)
        assert sorted(rotation.loads(assignment, areas, INSPECTORS).values()) == [30.0, 30.0]
