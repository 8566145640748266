"""The agreement statistics reproduce published values to the published decimals.

Sources of the data sets and figures:
- Krippendorff's α, 3 coders × 15 units: the worked example of Wikipedia's "Krippendorff's alpha"
  article, also the README example of the `krippendorff` Python package (nominal 0.691,
  interval 0.811).
- Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers ×
  12 units with missing values (nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797). The
  same data are Gwet (2014)'s `raw_4raters`, p. 120, shipped with irrCAC as `cac.raw4raters`;
  irrCAC's documentation prints percent agreement 0.8181818 (95 % CI 0.542–1), AC1 0.77544
  (0.461–1), Fleiss' κ 0.76117 (0.424–1), α 0.74342; AC2 with ordinal weights 0.899.
- irrCAC's `distrib.6raters` (complete data, 6 raters, 15 subjects, 5 diagnoses): AC1 0.4448007
  (0.264–0.625), Fleiss' κ 0.4139265 (0.24–0.588), α 0.4204384.
- Shrout & Fleiss (1979): 6 targets × 4 judges; ICC(1,1) 0.166, ICC(2,1) 0.290, ICC(3,1) 0.715
  (the paper prints 0.17, 0.29, 0.71); the 95 % intervals of McGraw & Wong
  (1996) and the F-test p-values as printed by R's psych::ICC and DescTools::ICC:
  −0.133–0.72, 0.019–0.76, 0.342–0.95; p 0.164769, 0.000135, 0.000135.
"""

import pytest

from services.calibration.agreement import (
    fleiss_kappa,
    gwet_ac,
    icc,
    krippendorff_alpha,
    percent_agreement,
)

N = None


def coders_to_units(coders: list[str]) -> list[list[int | None]]:
    """Reliability data printed one coder per line ("*" missing) as units × raters rows."""
    data = [[N if v == "*" else int(v) for v in line.split()] for line in coders]
    return [list(unit) for unit in zip(*data, strict=True)]


WIKIPEDIA_3X15 = coders_to_units(
    [
        "*  *  *  *  *  3  4  1  2  1  1  3  3  *  3",
        "1  *  2  1  3  3  4  3  *  *  *  *  *  *  *",
        "*  *  2  1  3  4  4  *  2  1  1  3  3  *  4",
    ]
)
KRIPPENDORFF_4X12 = coders_to_units(
    [
        "1  2  3  3  2  1  4  1  2  *  *  *",
        "1  2  3  3  2  2  4  1  2  5  *  3",
        "*  3  3  3  2  3  4  2  2  5  1  *",
        "1  2  3  3  2  4  4  1  2  5  1  *",
    ]
)
DIAGNOSES = ["depression", "personality disorder", "schizophrenia", "neurosis", "other"]
# distrib.6raters: how many of the 6 raters chose each diagnosis, per subject.
SIX_RATERS = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
]  # fmt: skip
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def six_rater_rows() -> list[list[str]]:
    """The distribution as raw answers; Fleiss' κ, AC1 and α do not depend on who said what."""
    return [
        [d for d, k in zip(DIAGNOSES, row, strict=True) for _ in range(k)] for row in SIX_RATERS
    ]


def test_alpha_of_the_three_coder_example() -> None:
    assert round(krippendorff_alpha(WIKIPEDIA_3X15, level="nominal").value, 3) == 0.691
    assert round(krippendorff_alpha(WIKIPEDIA_3X15, level="interval").value, 3) == 0.811


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_of_krippendorffs_example_with_missing_values(level: str, published: float) -> None:
    alpha = krippendorff_alpha(KRIPPENDORFF_4X12, level=level)
    assert round(alpha.value, 3) == published
    assert alpha.n == 11  # unit 12 has one value only: nothing to pair it with
    assert alpha.low < alpha.value <= alpha.high


def test_gwets_raw_4raters_percent_agreement_ac1_and_fleiss_kappa() -> None:
    pa = percent_agreement(KRIPPENDORFF_4X12)
    assert round(pa.value, 7) == 0.8181818
    assert (round(pa.low, 3), pa.high) == (0.542, 1.0)
    ac1 = gwet_ac(KRIPPENDORFF_4X12)
    assert round(ac1.value, 5) == 0.77544
    assert (round(ac1.low, 3), ac1.high) == (0.461, 1.0)
    assert round(ac1.p_value or 0, 9) == 0.000208721
    assert ac1.n == 12
    kappa = fleiss_kappa(KRIPPENDORFF_4X12)
    assert round(kappa.value, 5) == 0.76117
    assert (round(kappa.low, 3), kappa.high) == (0.424, 1.0)
    assert round(krippendorff_alpha(KRIPPENDORFF_4X12).value, 5) == 0.74342


def test_gwets_raw_4raters_ac2_with_ordinal_weights() -> None:
    assert round(gwet_ac(KRIPPENDORFF_4X12, weights="ordinal").value, 3) == 0.899


def test_complete_six_rater_data() -> None:
    rows = six_rater_rows()
    ac1 = gwet_ac(rows, categories=DIAGNOSES)
    assert round(ac1.value, 7) == 0.4448007
    assert (round(ac1.low, 3), round(ac1.high, 3)) == (0.264, 0.625)
    kappa = fleiss_kappa(rows, categories=DIAGNOSES)
    assert round(kappa.value, 7) == 0.4139265
    assert (round(kappa.low, 2), round(kappa.high, 3)) == (0.24, 0.588)
    assert round(krippendorff_alpha(rows, categories=DIAGNOSES).value, 7) == 0.4204384


@pytest.mark.parametrize(
    ("form", "published", "low", "high", "p"),
    [
        ("1,1", 0.166, -0.133, 0.72, 0.164769),
        ("2,1", 0.290, 0.019, 0.76, 0.000135),
        ("3,1", 0.715, 0.342, 0.95, 0.000135),
    ],
)
def test_shrout_and_fleiss_intraclass_correlations(
    form: str, published: float, low: float, high: float, p: float
) -> None:
    estimate = icc(SHROUT_FLEISS, form=form)
    assert round(estimate.value, 3) == published
    decimals = len(str(low).split(".")[1]), len(str(high).split(".")[1])
    assert (round(estimate.low, decimals[0]), round(estimate.high, decimals[1])) == (low, high)
    assert round(estimate.p_value or 0, 6) == p
    assert estimate.n == 6
