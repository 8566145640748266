"""Pareto: categories by count with their share and cumulative share; the vital few are the
categories up to and including the one that reaches 80 %; ties go by name."""

import pytest

from services.reports.pareto import pareto


def test_pareto_against_hand_computed_values() -> None:
    rows = pareto({"语速过快": 5, "未核实身份": 50, "未致结束语": 30, "抢话": 10, "禁用语": 5})
    assert [r.category for r in rows] == ["未核实身份", "未致结束语", "抢话", "禁用语", "语速过快"]
    assert [r.count for r in rows] == [50, 30, 10, 5, 5]
    assert [r.share for r in rows] == pytest.approx([0.5, 0.3, 0.1, 0.05, 0.05])
    assert [r.cumulative for r in rows] == pytest.approx([0.5, 0.8, 0.9, 0.95, 1.0])
    # 50 % + 30 % reach 80 % exactly: those two are the vital few.
    assert [r.vital for r in rows] == [True, True, False, False, False]


def test_the_category_that_crosses_80_percent_is_vital() -> None:
    rows = pareto({"a": 60, "b": 25, "c": 15})
    assert [r.vital for r in rows] == [True, True, False]
    assert rows[1].cumulative == pytest.approx(0.85)


def test_no_violations_gives_no_vital_few() -> None:
    rows = pareto({"a": 0, "b": 0})
    assert [(r.share, r.cumulative, r.vital) for r in rows] == [(0.0, 0.0, False)] * 2


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        pareto({"a": -1})
