"""Control charts.

- p chart: Montgomery's orange-juice can example (Introduction to Statistical Quality Control,
  example 7.1: 30 samples of 50, p̄ = 0.2313, UCL 0.4102, LCL 0.0524, samples 15 and 23 above);
  limits that follow each point's n, hand-computed.
- Laney p′: σ_z = mean moving range of the z-scores / 1.128, hand-computed.
- X̄–S: c4, A3, B3, B4 from their formulas equal the published table; limits hand-computed for
  equal and unequal subgroups.
- Simulated: a team's planted bad week is out of control that week only; at 100 % machine
  scoring sizes (thousands of calls a day) the plain p chart flags many days of a stable process
  whose days differ a little, and p′ flags none; where the binomial model holds, σ_z ≈ 1.
"""

import math

import numpy as np
import pytest

from services.reports.spc import (
    Proportion,
    Scores,
    a3,
    b3,
    b4,
    c4,
    laney_p_chart,
    p_chart,
    xbar_s_charts,
)
from tests.reports.simulate import daily_proportions

MONTGOMERY_7_1 = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
MONTGOMERY_7_1 += [8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


def test_p_chart_reproduces_montgomery_example_7_1() -> None:
    chart = p_chart([Proportion(str(i + 1), x, 50) for i, x in enumerate(MONTGOMERY_7_1)])
    assert round(chart.center[0], 4) == 0.2313
    assert {round(u, 4) for u in chart.ucl} == {0.4102}
    assert {round(v, 4) for v in chart.lcl} == {0.0524}
    beyond = [s.index + 1 for s in chart.signals if s.rule == 1]
    assert beyond == [15, 23]
    assert all(s.side == "above" for s in chart.signals)


def test_p_limits_follow_each_points_n() -> None:
    chart = p_chart([Proportion("a", 10, 100), Proportion("b", 30, 400), Proportion("c", 0, 25)])
    # p̄ = 40 / 525; σᵢ = √(p̄(1 − p̄)/nᵢ).
    p_bar = 40 / 525
    assert chart.center == pytest.approx([p_bar] * 3)
    assert chart.sigma == pytest.approx([0.026530, 0.013265, 0.053061], abs=1e-6)
    assert chart.ucl == pytest.approx([0.155781, 0.115986, 0.235372], abs=1e-6)
    assert chart.lcl == pytest.approx([0.0, 0.036395, 0.0], abs=1e-6)  # below 0 is clipped
    assert chart.values == [0.1, 0.075, 0.0] and chart.n == [100, 400, 25]
    assert chart.sigma_z is None and chart.signals == []
    assert math.isclose(chart.sigma[0], math.sqrt(p_bar * (1 - p_bar) / 100))


def test_laney_p_chart_hand_computed() -> None:
    chart = laney_p_chart(
        [Proportion("a", 10, 100), Proportion("b", 20, 100), Proportion("c", 30, 100)]
    )
    # p̄ = 0.2, σᵢ = 0.04, z = −2.5, 0, 2.5; moving ranges 2.5, 2.5; σ_z = 2.5 / 1.128.
    assert chart.sigma_z == pytest.approx(2.5 / 1.128)
    assert chart.ucl == pytest.approx([0.2 + 3 * 0.04 * 2.5 / 1.128] * 3)
    assert chart.lcl == [0.0, 0.0, 0.0]
    assert chart.signals == []  # ±2.5 binomial σ is ±1.13 σ′: no rule fires
    unequal = laney_p_chart(
        [Proportion("a", 5, 50), Proportion("b", 30, 200), Proportion("c", 10, 100)]
    )
    # p̄ = 45/350; σ = 0.047337, 0.023669, 0.033472; z = −0.603572, 0.905357, −0.853579;
    # moving ranges 1.508929, 1.758937; σ_z = 1.633933 / 1.128 = 1.448522.
    assert unequal.sigma_z == pytest.approx(1.448522, abs=1e-6)
    assert unequal.sigma == pytest.approx([0.068569, 0.034285, 0.048486], abs=1e-6)


def test_control_chart_constants_equal_the_published_table() -> None:
    table = {2: (0.7979, 2.659, 0.0, 3.267), 5: (0.9400, 1.427, 0.0, 2.089)}
    table |= {10: (0.9727, 0.975, 0.284, 1.716), 25: (0.9896, 0.606, 0.565, 1.435)}
    for n, (c4_n, a3_n, b3_n, b4_n) in table.items():
        assert (round(c4(n), 4), round(a3(n), 3), round(b3(n), 3), round(b4(n), 3)) == (
            c4_n,
            a3_n,
            b3_n,
            b4_n,
        )


def test_xbar_s_hand_computed_with_equal_subgroups() -> None:
    xbar, s = xbar_s_charts(
        [Scores("d1", [1, 2, 3]), Scores("d2", [2, 4, 6]), Scores("d3", [3, 3, 3])]
    )
    # Means 2, 4, 3; s 1, 2, 0; X̿ = 3, S̄ = 1; c4(3) = √π/2, A3 = 1.954410, B4 = 2.568170.
    assert c4(3) == pytest.approx(math.sqrt(math.pi) / 2)
    assert xbar.values == pytest.approx([2, 4, 3]) and s.values == pytest.approx([1, 2, 0])
    assert xbar.center == pytest.approx([3] * 3) and s.center == pytest.approx([1] * 3)
    assert xbar.ucl == pytest.approx([4.954410] * 3, abs=1e-6)
    assert xbar.lcl == pytest.approx([1.045590] * 3, abs=1e-6)
    assert s.ucl == pytest.approx([2.568170] * 3, abs=1e-6) and s.lcl == [0.0] * 3
    assert xbar.signals == [] and s.signals == []


def test_xbar_s_pools_unequal_subgroups() -> None:
    xbar, s = xbar_s_charts([Scores("d1", [1, 3]), Scores("d2", [2, 4, 6])])
    # X̿ = (2·2 + 4·3)/5 = 3.2; S̄ = √((1·2 + 2·4)/(5 − 2)) = √(10/3).
    s_bar = math.sqrt(10 / 3)
    assert xbar.center[0] == pytest.approx(3.2) and s.center[0] == pytest.approx(s_bar)
    assert xbar.ucl == pytest.approx([3.2 + a3(2) * s_bar, 3.2 + a3(3) * s_bar])
    assert s.ucl == pytest.approx([b4(2) * s_bar, b4(3) * s_bar])
    assert s.lcl == pytest.approx([b3(2) * s_bar, b3(3) * s_bar])


def test_a_shifted_day_of_scores_is_out_of_control() -> None:
    rng = np.random.default_rng(4)
    days = [Scores(f"D{d}", list(rng.normal(85, 8, 10))) for d in range(30)]
    days[8] = Scores("D8", [x - 12 for x in days[8].scores])
    xbar, s = xbar_s_charts(days)
    assert [(sig.index, sig.rule, sig.side) for sig in xbar.signals] == [(8, 1, "below")]
    assert s.signals == []  # the day is shifted, not more spread


@pytest.mark.parametrize(
    "points",
    [[], [Proportion("a", 1, 0)], [Proportion("a", 5, 4)]],
)
def test_bad_points_are_refused(points: list[Proportion]) -> None:
    with pytest.raises(ValueError):
        p_chart(points)


def test_a_subgroup_of_one_score_is_refused() -> None:
    with pytest.raises(ValueError, match="d2"):
        xbar_s_charts([Scores("d1", [1, 2]), Scores("d2", [5])])


def test_planted_bad_week_is_out_of_control_that_week_only() -> None:
    weeks = daily_proportions(seed=3, days=20, calls=400, rate=0.08, day_spread=0, bad={11: 2.0})
    chart = p_chart(weeks)
    assert chart.out_of_control() == [11]
    assert {(s.rule, s.side) for s in chart.signals if s.index == 11} >= {(1, "above")}


def test_p_chart_flags_a_stable_process_at_machine_scoring_sizes_and_p_prime_does_not() -> None:
    # Thousands of calls a day; each day's rate varies ±15 % around 5 % (a stable process).
    days = daily_proportions(seed=5, days=60, calls=5000, rate=0.05, day_spread=0.15, bad={})
    plain, laney = p_chart(days), laney_p_chart(days)
    plain_beyond = {s.index for s in plain.signals if s.rule == 1}
    assert len(plain_beyond) >= 15  # a quarter of the days "out of control"
    assert laney.sigma_z is not None and laney.sigma_z > 2
    assert [s for s in laney.signals if s.rule == 1] == []
    assert len(laney.out_of_control()) <= 2


def test_p_prime_still_finds_a_real_bad_day_at_machine_scoring_sizes() -> None:
    days = daily_proportions(seed=5, days=60, calls=5000, rate=0.05, day_spread=0.15, bad={40: 1.8})
    laney = laney_p_chart(days)
    assert 40 in {s.index for s in laney.signals if s.rule == 1}


def test_sigma_z_is_near_1_where_the_binomial_model_holds() -> None:
    sigma_z = []
    for seed in range(20):
        days = daily_proportions(seed=seed, days=100, calls=5000, rate=0.05, day_spread=0, bad={})
        sigma_z.append(laney_p_chart(days).sigma_z)
    # Each estimate varies by about ±7 % over 100 days; the mean of 20 by about ±1.6 %.
    assert np.mean(sigma_z) == pytest.approx(1.0, abs=0.05)
