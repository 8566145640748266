"""Rates and training needs.

- A rate comes with n and its 95 % Wilson interval, equal to published values (Newcombe 1998,
  Statistics in Medicine 17:857, table I) and to the closed forms at 0 and n.
- Impossible counts are refused with a message, not turned into a rate.
- The training-need ranking puts first, for a rule and a dimension (agent, team, tenure), the
  group whose rate is surely above the center's (the lower Wilson bound minus the center's
  rate), not a group with a high rate on a handful of calls; a group that is not worse than the
  center is not a need.
"""

import math

import pytest

from services.reports.rates import Z95, rank_training_needs, wilson
from tests.reports.simulate import training_counts


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998(count: int, n: int, low: float, high: float) -> None:
    rate = wilson(count, n)
    assert (rate.count, rate.n, rate.rate) == (count, n, count / n)
    assert (round(rate.low, 4), round(rate.high, 4)) == (low, high)


def test_wilson_closed_forms_at_the_ends() -> None:
    z2 = Z95**2
    assert wilson(0, 10).low == 0.0
    assert wilson(0, 10).high == pytest.approx(z2 / (10 + z2), abs=1e-12)
    assert wilson(10, 10).low == pytest.approx(10 / (10 + z2), abs=1e-12)
    assert wilson(10, 10).high == 1.0


def test_wilson_is_symmetric_and_narrows_with_n() -> None:
    a, b = wilson(3, 20), wilson(17, 20)
    assert a.low == pytest.approx(1 - b.high) and a.high == pytest.approx(1 - b.low)
    widths = [wilson(n // 10, n).high - wilson(n // 10, n).low for n in (10, 100, 1000)]
    assert widths[0] > widths[1] > widths[2]
    assert widths[2] == pytest.approx(2 * Z95 * math.sqrt(0.09 / 1000), rel=0.01)


@pytest.mark.parametrize(("count", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_impossible_counts_are_refused(count: int, n: int) -> None:
    with pytest.raises(ValueError, match="n"):
        wilson(count, n)


def test_planted_weak_new_hires_top_the_ranking_for_their_rule() -> None:
    groups, center = training_counts(seed=7)
    needs = rank_training_needs(groups=groups, center=center)
    tenure = [t for t in needs if (t.rule, t.dimension) == ("R2 结束语", "tenure")]
    top = tenure[0]
    assert top.group == "0–3 月 new hire"
    assert top.is_need and top.gap == pytest.approx(top.rate.low - top.baseline)
    assert top.rate.rate == pytest.approx(2.5 * 0.08, rel=0.15)
    assert [t.is_need for t in tenure] == [True, False, False]
    # By agent, the new hires fill the top; teams (a mix of tenures) show no need.
    agents = [t for t in needs if (t.rule, t.dimension) == ("R2 结束语", "agent")]
    new_hires = {f"T{t}-A{a}" for t in range(5) for a in (0, 3, 6, 9)}
    assert {t.group for t in agents[:15]} <= new_hires
    assert not any(t.is_need for t in needs if t.dimension == "team")
    # One violation in two calls is a higher rate still, but it is not a measured gap.
    newcomer = next(t for t in agents if t.group == "T0-A99")
    assert newcomer.rate.rate > top.rate.rate and not newcomer.is_need
    # Each rule and dimension is in order of the gap.
    for rule, dimension in {(t.rule, t.dimension) for t in needs}:
        gaps = [t.gap for t in needs if (t.rule, t.dimension) == (rule, dimension)]
        assert gaps == sorted(gaps, reverse=True)


def test_new_hires_are_no_need_on_rules_they_keep() -> None:
    groups, center = training_counts(seed=7)
    needs = rank_training_needs(groups=groups, center=center)
    for rule in ("R1 核实身份", "R3 禁用语"):
        new_hires = next(t for t in needs if t.rule == rule and t.group == "0–3 月 new hire")
        assert not new_hires.is_need
        assert new_hires.rate.low <= new_hires.baseline <= new_hires.rate.high


def test_a_rule_without_a_center_rate_is_refused() -> None:
    groups, center = training_counts(seed=7)
    del center["R3 禁用语"]
    with pytest.raises(ValueError, match="R3"):
        rank_training_needs(groups=groups, center=center)
