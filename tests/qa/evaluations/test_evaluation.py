"""An evaluation's content from the machine scorecard and a person's verdicts and scores."""

import pytest

from services.qa.evaluations import content

SCORE_ITEMS = [
    {"id": "greeting", "section": "open", "name": "G", "points": 10, "earned": 0, "status": "hit",
     "severity": "major", "auto_fail": False, "rule": "greeting", "deduct_per_hit": None},
    {"id": "quiet", "section": "open", "name": "Q", "points": 10, "earned": 0, "status": "hit",
     "severity": "minor", "auto_fail": False, "rule": "dead_air", "deduct_per_hit": 4},
    {"id": "manner", "section": "open", "name": "M", "points": 10, "earned": None,
     "status": "manual", "severity": "minor", "auto_fail": False, "rule": None},
    {"id": "pace", "section": "open", "name": "P", "points": 5, "earned": None,
     "status": "not_measurable", "severity": "minor", "auto_fail": False, "rule": "speech_rate"},
    {"id": "abuse", "section": "red", "name": "A", "points": 10, "earned": 10, "status": "pass",
     "severity": "critical", "auto_fail": True, "rule": "abuse"},
]  # fmt: skip
HITS = [
    {"hit_id": 1, "rule_id": "greeting", "start": 0, "end": 1, "text": ""},
    {"hit_id": 2, "rule_id": "dead_air", "start": 5, "end": 17, "text": ""},
    {"hit_id": 3, "rule_id": "dead_air", "start": 30, "end": 45, "text": ""},
    {"hit_id": 4, "rule_id": "dead_air", "start": 60, "end": 75, "text": ""},
]
WEIGHTS = {"open": None, "red": None}


def _items():
    return content.from_machine(
        SCORE_ITEMS, HITS, {"greeting": "greeting", "abuse": "forbidden_phrase"}
    )


def _by_id(items):
    return {i["id"]: i for i in items}


def test_a_draft_lists_unjudged_hits_and_unscored_manual_items():
    missing = content.problems(_items(), {"hits": {"1": {"confirmed": True}}})
    assert len(missing) == 4
    assert any("'manner'" in m for m in missing) and any("hit 3 " in m for m in missing)


def test_rejected_hits_give_points_back_and_per_hit_deductions_follow_the_confirmed():
    verdicts = {
        "1": {"confirmed": False, "comment": "greeted, ASR missed it"},
        "2": {"confirmed": True},
        "3": {"confirmed": False},
        "4": {"confirmed": True},
    }
    items = _by_id(content.apply_verdicts(_items(), verdicts, by="insp"))
    assert (items["greeting"]["status"], items["greeting"]["earned"]) == ("pass", 10)
    assert items["greeting"]["decided_by"] == "insp"
    assert (items["quiet"]["status"], items["quiet"]["earned"]) == ("hit", 2)  # 10 - 2 × 4
    assert [h["confirmed"] for h in items["quiet"]["hits"]] == [True, False, True]


def test_a_persons_score_replaces_the_machines_and_not_applicable_leaves_the_maximum():
    items = content.apply_scores(
        _items(),
        {
            "manner": {"earned": 7, "comment": "curt"},
            "pace": {"earned": 5},
            "greeting": {"not_applicable": True},
        },
        by="insp",
    )
    found = _by_id(items)
    assert (found["manner"]["status"], found["manner"]["comment"]) == ("hit", "curt")
    assert found["pace"]["status"] == "pass" and found["greeting"]["earned"] is None
    result = content.totals(items, WEIGHTS)
    assert (result["total"], result["maximum"]) == (0 + 7 + 5 + 10, 10 + 10 + 5 + 10)
    # A manual item is a violation only when failed (its pack says nothing else): 7/10 is not.
    assert [v["id"] for v in content.violations(items)] == ["quiet"]


def test_a_red_line_item_that_lost_points_zeroes_the_total():
    items = content.apply_scores(
        _items(), {"abuse": {"earned": 0}, "manner": {"earned": 10}}, by="i"
    )
    result = content.totals(items, WEIGHTS)
    assert result["auto_failed"] and result["total"] == 0 and result["percent"] == 0


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"nope": {"earned": 1}}, "no item 'nope'"),
        ({"manner": {"earned": 11}}, "scored 0 to 10, not 11"),
        ({"manner": {"earned": -1}}, "not -1"),
    ],
)
def test_impossible_scores_are_refused(scores, message):
    with pytest.raises(ValueError, match=message):
        content.apply_scores(_items(), scores, by="insp")


@pytest.mark.parametrize(
    ("when", "earned", "violation"),
    [
        ("fail", 9, False),
        ("fail", 0, True),
        ("any_loss", 9, True),
        ("any_loss", 10, False),
        ({"below": 6}, 6, False),
        ({"below": 6}, 5.5, True),
        (None, 9, False),  # a manual item's default: only a failed one counts
        (None, 0, True),
    ],
)
def test_the_pack_says_which_manual_scores_are_violations(when, earned, violation):
    ladder = {"manner": {"category": "courtesy", "violation_when": when}}
    items = content.from_machine(SCORE_ITEMS, HITS, {}, ladder)
    scored = _by_id(content.apply_scores(items, {"manner": {"earned": earned}}, by="insp"))

    assert scored["manner"]["category"] == "courtesy"
    assert content.is_violation(scored["manner"]) is violation


def test_each_item_takes_its_category_from_the_pack_else_its_rule():
    ladder = {"manner": {"category": "courtesy", "violation_when": None}}
    found = _by_id(content.from_machine(SCORE_ITEMS, HITS, {"greeting": "greeting"}, ladder))

    assert found["manner"]["category"] == "courtesy"
    assert found["greeting"]["category"] == "greeting"
    assert found["quiet"]["category"] == "other"  # no rule result, no pack category
    assert found["quiet"]["violation_when"] == "any_loss"
    assert found["manner"]["violation_when"] == "fail"


def test_rejected_hits_are_no_violation():
    items = content.apply_verdicts(
        _items(), {str(h): {"confirmed": False} for h in (1, 2, 3, 4)}, by="insp"
    )
    assert content.violations(items) == []
