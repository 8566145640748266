"""Each item gets the statistics that fit how it is answered; the machine is compared with the
expert rule by rule."""

import pytest

from services.calibration.agreement import (
    AgreementError,
    Scale,
    gwet_ac,
    item_agreement,
    machine_vs_expert,
    percent_agreement,
)

YES_NO = Scale("nominal", ("yes", "no", "na"))


def test_a_complete_yes_no_item_gets_agreement_ac1_kappa_and_alpha() -> None:
    rows = [["yes", "yes", "yes"]] * 6 + [["no", "no", "yes"], ["no", "no", "no"], ["na"] * 3]
    found = item_agreement(rows, YES_NO)
    assert set(found) == {"percent_agreement", "ac1", "fleiss_kappa", "alpha_nominal"}
    assert found["ac1"].value == gwet_ac(rows, categories=YES_NO.categories).value


def test_fleiss_kappa_only_where_every_inspector_answered_every_call() -> None:
    rows = [["yes", "yes", None], ["no", "no", "no"], ["yes", "no", "yes"]]
    assert "fleiss_kappa" not in item_agreement(rows, YES_NO)


def test_an_item_everyone_passed_has_no_alpha_but_full_agreement() -> None:
    found = item_agreement([["yes"] * 4] * 5, YES_NO)
    assert set(found) == {"percent_agreement", "ac1"}
    assert found["ac1"].value == 1


def test_graded_and_scored_items() -> None:
    graded = Scale("ordinal", ("poor", "fair", "good", "excellent"))
    rows = [["good", "good"], ["fair", "good"], ["poor", "fair"], ["excellent", "good"]]
    assert set(item_agreement(rows, graded)) == {
        "percent_agreement",
        "ac2_ordinal",
        "alpha_ordinal",
    }
    scores = [[8, 9], [5, 5], [3, 4], [10, 9]]
    assert set(item_agreement(scores, Scale("interval"))) == {"alpha_interval"}


def test_machine_against_expert_per_rule() -> None:
    good = [("hit", "hit")] * 3 + [("pass", "pass")] * 16 + [("hit", "pass")]
    poor = [("hit", "pass")] * 6 + [("pass", "pass")] * 12 + [("hit", "hit")] * 2
    found = machine_vs_expert({"greeting": good, "forbidden_words": poor})
    assert found["greeting"]["percent_agreement"].value == 0.95
    assert found["forbidden_words"]["percent_agreement"].value == 0.7
    assert found["greeting"]["ac1"].value > found["forbidden_words"]["ac1"].value
    assert found["greeting"]["ac1"] == gwet_ac(good)
    assert found["greeting"]["percent_agreement"] == percent_agreement(good)
    assert found["greeting"]["ac1"].n == 20


def test_a_rule_with_too_few_reviewed_calls_gets_no_statistic() -> None:
    found = machine_vs_expert({"new_rule": [("hit", "hit")], "empty": []})
    assert found == {"new_rule": {}, "empty": {}}


def test_bad_answers_are_refused_not_left_out() -> None:
    with pytest.raises(AgreementError, match="not among the categories"):
        item_agreement([["yes", "maybe"], ["no", "no"]], YES_NO)
