"""How the agreement statistics behave on the data a calibration session produces.

Yes/no items that nearly always pass keep AC1 high where α and κ collapse; "not applicable" is an
answer, None is a missing one; a statistic the data cannot give says so; intervals are
reproducible; bias is named only when its interval excludes 0.
"""

import numpy as np
import pytest
from scipy import stats

from services.calibration.agreement import (
    AgreementError,
    UndefinedStatistic,
    bias,
    fleiss_kappa,
    gwet_ac,
    icc,
    krippendorff_alpha,
    leaning,
    percent_agreement,
)
from services.calibration.agreement.weights import matrix

# 3 inspectors × 20 calls: all pass 18 calls; on 2 calls one inspector fails the item.
PREVALENCE = [["pass"] * 3] * 18 + [["pass", "pass", "fail"], ["fail", "pass", "pass"]]


def test_prevalence_paradox_keeps_ac1_high_where_alpha_and_kappa_collapse() -> None:
    assert round(percent_agreement(PREVALENCE).value, 2) == 0.93
    ac1 = gwet_ac(PREVALENCE)
    assert round(ac1.value, 2) == 0.93
    assert ac1.low > 0.8
    alpha = krippendorff_alpha(PREVALENCE)
    assert abs(alpha.value) < 0.05  # 1 − 59·2 / (58·2) = −0.017
    assert round(alpha.value, 3) == -0.017
    assert abs(fleiss_kappa(PREVALENCE).value) < 0.05


def test_not_applicable_is_an_answer_and_none_is_missing() -> None:
    answered = [["yes", "yes", "yes"]] * 8 + [["yes", "na", "yes"], ["no", "no", "no"]]
    missing = [["yes", "yes", "yes"]] * 8 + [["yes", None, "yes"], ["no", "no", "no"]]
    assert percent_agreement(answered).value < 1
    assert percent_agreement(missing).value == 1
    assert gwet_ac(missing).n == 10


def test_the_scale_can_hold_categories_no_one_used() -> None:
    rows = [["yes", "yes"], ["yes", "no"], ["no", "no"], ["yes", "yes"]]
    seen = gwet_ac(rows)
    scale = gwet_ac(rows, categories=["yes", "no", "na"])
    assert seen.value != scale.value  # AC1's chance agreement depends on the number of categories
    with pytest.raises(AgreementError, match="not among the categories"):
        gwet_ac(rows, categories=["yes"])


def test_bad_rating_data_get_a_clear_error() -> None:
    with pytest.raises(AgreementError, match="one answer"):
        gwet_ac([["yes", "no"], ["yes"]])
    with pytest.raises(AgreementError, match="mix numbers and text"):
        gwet_ac([["yes", 1], ["no", 2]])
    with pytest.raises(AgreementError, match="categories in order"):
        gwet_ac([["good", "poor"], ["fair", "good"]], weights="ordinal")
    with pytest.raises(AgreementError, match="ordinal"):
        krippendorff_alpha([["good", "poor"], ["fair", "good"]], level="ordinal")
    with pytest.raises(AgreementError, match="numeric"):
        krippendorff_alpha([["good", "poor"], ["fair", "good"]], level="interval")
    with pytest.raises(AgreementError, match="two raters"):
        gwet_ac([["yes", None], [None, "no"]])


def test_text_levels_in_the_given_order_weigh_like_their_ranks() -> None:
    levels = ["poor", "fair", "good"]
    text = [["good", "fair"], ["poor", "poor"], ["fair", "good"], ["good", "good"]]
    ranks = [[levels.index(v) + 1 for v in row] for row in text]
    for weights in ("ordinal", "linear", "quadratic"):
        a = gwet_ac(text, weights=weights, categories=levels)
        b = gwet_ac(ranks, weights=weights)
        assert a.value == pytest.approx(b.value)
    ordinal = krippendorff_alpha(text, level="ordinal", categories=levels)
    assert ordinal.value == pytest.approx(krippendorff_alpha(ranks, level="ordinal").value)


def test_everyone_giving_the_same_answer() -> None:
    same = [["yes", "yes", "yes"]] * 5
    assert gwet_ac(same).value == 1  # no disagreement, no chance agreement to remove
    with pytest.raises(UndefinedStatistic):
        krippendorff_alpha(same)
    with pytest.raises(UndefinedStatistic):
        fleiss_kappa(same)


def test_bootstrap_interval_is_reproducible_by_seed() -> None:
    rows = [[1, 2, 2], [3, 3, 3], [2, 2, 1], [4, 4, 3], [5, 4, 5], [1, 1, 1], [2, 3, 2]]
    first = krippendorff_alpha(rows, level="interval", seed=7)
    assert first == krippendorff_alpha(rows, level="interval", seed=7)
    other = krippendorff_alpha(rows, level="interval", seed=8)
    assert other.value == first.value and (other.low, other.high) != (first.low, first.high)
    assert first.low < first.value < first.high and first.interval == "bootstrap"


def test_weights_match_gwets_tables_for_three_categories() -> None:
    values = np.array([1.0, 2.0, 3.0])
    assert matrix("linear", values)[0, 1] == 0.5
    assert matrix("quadratic", values)[0, 1] == 0.75
    assert matrix("ordinal", values)[0, 1] == pytest.approx(2 / 3)
    assert matrix("radical", values)[0, 1] == pytest.approx(0.2928932)
    for name in ("identity", "ordinal", "linear", "quadratic", "radical", "ratio"):
        w = matrix(name, values)
        assert (np.diag(w) == 1).all() and w[0, 2] == 0 and (w == w.T).all()


def test_icc_leaves_out_units_with_a_missing_score() -> None:
    rows = [[80, 82, 79], [60, 65, 61], [90, None, 88], [70, 71, 74], [50, 55, 52]]
    estimate = icc(rows, form="2,1")
    assert estimate.n == 4
    assert estimate.value == icc([r for r in rows if None not in r], form="2,1").value


def test_icc_of_perfect_agreement_and_of_no_variation() -> None:
    perfect = [[80, 80], [60, 60], [90, 90]]
    for form in ("1,1", "2,1", "3,1"):
        estimate = icc(perfect, form=form)
        assert (estimate.value, estimate.low, estimate.high) == (1, 1, 1)
    with pytest.raises(UndefinedStatistic):
        icc([[70, 70], [70, 70]])
    # The raters differ by a constant and the calls not at all: nothing to compare the
    # raters' spread with (no 0/0 leaking out as NaN).
    for form in ("1,1", "2,1", "3,1"):
        with pytest.raises(UndefinedStatistic, match="only the raters"):
            icc([[70, 80], [70, 80], [70, 80]], form=form)
    with pytest.raises(AgreementError, match="numeric"):
        icc([["a", "b"], ["c", "d"]])


def test_bias_is_the_one_sample_t_test_of_the_deviations() -> None:
    scores = [88, 92, 75, None, 81, 90]
    gold = [80, 85, 70, 60, 77, 80]
    estimate = bias(scores, gold)
    deviations = [8, 7, 5, 4, 10]
    test = stats.ttest_1samp(deviations, 0)
    interval = test.confidence_interval(0.95)
    assert estimate.n == 5
    assert estimate.value == pytest.approx(np.mean(deviations))
    assert (estimate.low, estimate.high) == pytest.approx((interval.low, interval.high))
    assert estimate.p_value == pytest.approx(test.pvalue)
    assert leaning(estimate) == "lenient"
    assert leaning(bias([70, 75, 60], [80, 83, 71])) == "severe"
    assert leaning(bias([81, 79, 70, 72], [80, 80, 71, 71])) == "none"
    with pytest.raises(AgreementError, match="two units"):
        bias([80, None], [70, 70])
