"""DPMO and process sigma with the 1.5σ shift: the published conversion table (3.4 DPMO is
6σ, 66,807 is 3σ) and hand-computed DPMO; impossible values are refused."""

import pytest

from services.reports.sigma import dpmo, process_sigma


@pytest.mark.parametrize(
    ("dpmo_value", "sigma"),
    [(3.4, 6.0), (233, 5.0), (6_210, 4.0), (66_807, 3.0), (308_538, 2.0), (691_462, 1.0)],
)
def test_sigma_level_follows_the_six_sigma_table(dpmo_value: float, sigma: float) -> None:
    assert process_sigma(dpmo_value) == pytest.approx(sigma, abs=0.001)


def test_dpmo_counts_every_opportunity() -> None:
    # 1,200 calls × 10 checked items, 84 failed items: 84 / 12,000 = 7,000 per million.
    assert dpmo(defects=84, units=1200, opportunities=10) == pytest.approx(7000)
    assert process_sigma(7000) == pytest.approx(2.4573 + 1.5, abs=1e-4)


@pytest.mark.parametrize("value", [0, 1e6, -5])
def test_sigma_of_a_dpmo_without_a_finite_level_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="DPMO"):
        process_sigma(value)


def test_more_defects_than_opportunities_is_refused() -> None:
    with pytest.raises(ValueError, match="defects"):
        dpmo(defects=11, units=1, opportunities=10)
