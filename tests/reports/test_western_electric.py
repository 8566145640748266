"""Western Electric rules on points in σ units: each rule fires on the point that completes its
pattern, on the side it happens, and not one point earlier; patterns split across the center
line do not count."""

from services.reports.western_electric import western_electric


def fired(z: list[float]) -> list[tuple[int, int, str]]:
    return [(s.index, s.rule, s.side) for s in western_electric(z)]


def test_rule_1_one_point_beyond_3_sigma_either_side() -> None:
    assert fired([0.5, 3.2, -0.5, -3.01, 0.1]) == [(1, 1, "above"), (3, 1, "below")]
    assert fired([3.0, -3.0]) == []  # on the limit is not beyond it


def test_rule_2_two_of_three_beyond_2_sigma_same_side() -> None:
    assert fired([0.0, 2.5, 0.3, 2.4]) == [(3, 2, "above")]
    assert fired([0.0, -2.1, -2.2]) == [(2, 2, "below")]
    assert fired([2.5, 0.0, 0.0, 2.5]) == []  # 3 points apart: not 2 of 3
    assert fired([2.5, -2.5, 0.2]) == []  # opposite sides


def test_rule_3_four_of_five_beyond_1_sigma_same_side() -> None:
    assert fired([1.5, 1.2, 0.2, 1.1, 1.9]) == [(4, 3, "above")]
    assert fired([-1.5, -1.2, -1.1, 0.5, -1.9]) == [(4, 3, "below")]
    assert fired([1.5, 1.2, 0.2, 1.1, 0.9]) == []  # only 3 of 5, and the last is inside 1σ


def test_rule_4_eight_in_a_row_on_one_side() -> None:
    z = [0.3, 0.1, 0.5, 0.2, 0.4, 0.1, 0.6, 0.2]
    assert fired(z) == [(7, 4, "above")]
    assert fired(z[:7]) == []
    assert fired([-x for x in z] + [-0.3]) == [(7, 4, "below"), (8, 4, "below")]
    assert fired([*z[:4], 0.0, *z[4:]]) == []  # a point on the center line breaks the run


def test_one_point_can_break_several_rules() -> None:
    # Point 4 is beyond 3σ (rule 1) and completes 5 of 5 beyond 1σ (rule 3); of its last three
    # only it is beyond 2σ. Points 0–2 hold two beyond 2σ, but point 2 itself is not: no mark.
    assert fired([2.5, 2.2, 1.5, 1.8, 3.5]) == [(4, 1, "above"), (4, 3, "above")]
