"""Exports.

- CSV is UTF-8 with a byte-order mark (so Excel reads the Chinese as Chinese) and reads back
  to the same headings, text and numbers; text that Excel would run as a formula is kept text.
- XLSX holds a sheet per table; read back with openpyxl it has the same headings, text,
  numbers and booleans, strings stay strings, and the Pareto and control-chart sheets carry
  native charts over their own cells.
- Sheet names are made valid for Excel (31 characters, no []:*?/\\, unique); a ragged table is
  refused.
"""

import csv
import io
import re
import zipfile

import openpyxl
import pytest

from services.reports.coaching import coaching_effect
from services.reports.exports import Table, to_csv, to_xlsx
from services.reports.pareto import pareto
from services.reports.rates import rank_training_needs
from services.reports.spc import Proportion, Scores, p_chart, xbar_s_charts
from services.reports.tabulate import (
    coaching_table,
    control_chart_table,
    pareto_table,
    training_needs_table,
)
from tests.reports.simulate import training_counts, weekly_counts

MONTGOMERY_7_1 = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
CATEGORIES = {"未核实身份": 50, "未致结束语": 30, '=HYPERLINK("x")': 10, "禁用语": 6}


def all_tables() -> list[Table]:
    p = p_chart([Proportion(f"第{i + 1}批", x, 50) for i, x in enumerate(MONTGOMERY_7_1)])
    days = [Scores(f"D{d}", [80.5 + (i * 7 + d) % 9 for i in range(5)]) for d in range(8)]
    xbar, s = xbar_s_charts(days)
    groups, center = training_counts(seed=7)
    weeks, coached = weekly_counts(seed=1)
    return [
        pareto_table(pareto(CATEGORIES), title="违规帕累托 Pareto"),
        control_chart_table(p, title="p 图 p chart"),
        control_chart_table(xbar, title="均值图 X-bar"),
        control_chart_table(s, title="标准差图 S"),
        training_needs_table(rank_training_needs(groups=groups, center=center), title="培训需求"),
        coaching_table(coaching_effect(weeks=weeks, coached=coached), title="辅导效果"),
    ]


def same(read: object, written: object) -> bool:
    if isinstance(written, float):  # Excel has one number type: 1.0 reads back as 1
        number = isinstance(read, int | float) and not isinstance(read, bool)
        return number and read == pytest.approx(written, rel=1e-15, abs=0)
    return type(read) is type(written) and read == written


def test_csv_has_a_bom_and_reads_back_the_same() -> None:
    for table in all_tables():
        data = to_csv(table)
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == table.columns
        assert len(rows) == len(table.rows) + 1
        for read, written in zip(rows[1:], table.rows, strict=True):
            for r, w in zip(read, written, strict=True):
                if isinstance(w, bool) or not isinstance(w, int | float):
                    expected = "" if w is None else str(w)
                    assert r == expected or r == "'" + expected
                else:
                    assert float(r) == w  # repr of a float reads back exactly


def test_csv_keeps_formula_like_text_as_text() -> None:
    rows = to_csv(pareto_table(pareto(CATEGORIES), title="t")).decode("utf-8-sig")
    assert "'=HYPERLINK" in rows
    table = Table(title="t", columns=["a", "b"], rows=[["-5 分", -0.25]])
    assert to_csv(table).decode("utf-8-sig").splitlines()[1] == "'-5 分,-0.25"


def test_xlsx_reads_back_the_same_numbers_and_text() -> None:
    tables = all_tables()
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(tables)))
    assert workbook.sheetnames == [t.title for t in tables]
    for table in tables:
        sheet = workbook[table.title]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == table.columns
        assert len(rows) == len(table.rows) + 1
        for read, written in zip(rows[1:], table.rows, strict=True):
            for r, w in zip(read, written, strict=True):
                assert same(r, w) or (w == "" and r is None), (table.title, r, w)
    hyperlink = workbook["违规帕累托 Pareto"]["A4"]
    assert hyperlink.value == '=HYPERLINK("x")' and hyperlink.data_type == "s"


def test_xlsx_has_native_charts_over_the_sheets_cells() -> None:
    tables = all_tables()
    with zipfile.ZipFile(io.BytesIO(to_xlsx(tables))) as xlsx:
        charts = sorted(n for n in xlsx.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [xlsx.read(n).decode() for n in charts]
    assert len(xml) == 4  # the Pareto and the three control charts
    pareto_xml = next(x for x in xml if "<c:barChart>" in x)
    assert "<c:lineChart>" in pareto_xml  # the cumulative line on the bars
    assert "'违规帕累托 Pareto'!$B$2:$B$5" in pareto_xml
    assert "'违规帕累托 Pareto'!$D$2:$D$5" in pareto_xml
    p_xml = next(x for x in xml if "'p 图 p chart'!" in x)
    for column in "CDEF":  # value, center line, LCL, UCL
        assert f"'p 图 p chart'!${column}$2:${column}$16" in p_xml


def test_sheet_names_are_made_valid_and_unique() -> None:
    long = "质检报告" * 10
    tables = [Table(title=t, columns=["a"], rows=[[1]]) for t in ("a/b?", "A/B?", long, long)]
    names = openpyxl.load_workbook(io.BytesIO(to_xlsx(tables))).sheetnames
    assert names == ["a_b_", "A_B_ (2)", long[:31], long[:27] + " (2)"]


def test_a_ragged_table_is_refused() -> None:
    with pytest.raises(ValueError, match="cells"):
        Table(title="t", columns=["a", "b"], rows=[[1, 2], [3]])


def test_a_number_that_is_not_finite_becomes_an_excel_error_not_a_failed_export() -> None:
    table = Table(title="t", columns=["a", "b"], rows=[[float("nan"), 2.5]])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([table])))["t"]
    assert (sheet["A2"].value, sheet["B2"].value) == ("=#NUM!", 2.5)  # Excel shows #NUM!
