"""Report tables as CSV and XLSX (with native Excel charts for the Pareto and control charts)."""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

Cell = str | int | float | None

# Excel runs a cell that starts with one of these as a formula, even from a CSV: an agent or
# rule named "=HYPERLINK(…)" must stay text (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Table:
    """A report table: its title (the XLSX sheet's name), column headings and rows."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    percent_columns: frozenset[int] = field(default_factory=frozenset)  # shown as % in XLSX
    chart: str | None = None  # pareto | control: the native XLSX chart drawn from the columns

    def __post_init__(self) -> None:
        if self.chart not in (None, "pareto", "control"):
            raise ValueError(f"unknown chart {self.chart!r} / 未知图表类型")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"a row of {self.title!r} has {len(row)} cells for {len(self.columns)} "
                    "columns / 行的单元格数与列数不符"
                )


def to_csv(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark.

    Excel opens a CSV without a BOM in the system's legacy code page (GBK on a Chinese Windows),
    which garbles UTF-8 Chinese; the BOM tells it the file is UTF-8. Other readers skip it.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe_text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_safe_text(c) if isinstance(c, str) else c for c in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, a sheet each, numbers as numbers, with native charts."""
    buffer = io.BytesIO()
    # A NaN or infinite number is written as #NUM! rather than refused mid-export.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    percent = workbook.add_format({"num_format": "0.00%"})
    used: set[str] = set()
    for table in tables:
        name = _sheet_name(table.title, used)
        sheet = workbook.add_worksheet(name)
        for col, heading in enumerate(table.columns):
            sheet.write_string(0, col, heading, header)
            sheet.set_column(col, col, max(10, min(40, 2 * len(heading))))
        for r, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                style = percent if col in table.percent_columns else None
                _write(sheet, r, col, value, style)
        sheet.freeze_panes(1, 0)
        if table.chart and table.rows:
            draw = _pareto_chart if table.chart == "pareto" else _control_chart
            sheet.insert_chart(1, len(table.columns) + 1, draw(workbook, name, table))
    workbook.close()
    return buffer.getvalue()


def _write(sheet: Worksheet, row: int, col: int, value: Cell, style: Format | None) -> None:
    # Each type written explicitly: write() would turn a string starting with "=" into a formula.
    if value is None:
        sheet.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, style)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, style)
    else:
        sheet.write_string(row, col, value, style)


def _pareto_chart(workbook: xlsxwriter.Workbook, sheet: str, table: Table) -> Chart:
    # Columns: category, count, share, cumulative share (see pareto_table).
    last = len(table.rows)
    bars = workbook.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": table.columns[1],
            "categories": [sheet, 1, 0, last, 0],
            "values": [sheet, 1, 1, last, 1],
        }
    )
    line = workbook.add_chart({"type": "line"})
    line.add_series(
        {
            "name": table.columns[3],
            "categories": [sheet, 1, 0, last, 0],
            "values": [sheet, 1, 3, last, 3],
            "y2_axis": True,
            "marker": {"type": "circle"},
        }
    )
    bars.combine(line)
    bars.set_title({"name": table.title})
    line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
    bars.set_legend({"position": "bottom"})
    return bars


def _control_chart(workbook: xlsxwriter.Workbook, sheet: str, table: Table) -> Chart:
    # Columns: point, n, value, center, LCL, UCL (see control_chart_table).
    last = len(table.rows)
    chart = workbook.add_chart({"type": "line"})
    for col, color in ((2, "#2C3E50"), (3, "#27AE60"), (4, "#C0392B"), (5, "#C0392B")):
        series = {
            "name": table.columns[col],
            "categories": [sheet, 1, 0, last, 0],
            "values": [sheet, 1, col, last, col],
            "line": {"color": color, "width": 1.5 if col == 2 else 1},
        }
        if col == 2:
            series["marker"] = {"type": "circle", "size": 4}
        chart.add_series(series)
    chart.set_title({"name": table.title})
    chart.set_legend({"position": "bottom"})
    return chart


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _sheet_name(title: str, used: set[str]) -> str:
    base = SHEET_NAME_FORBIDDEN.sub("_", title).strip("'") or "Sheet"
    name, i = base[:SHEET_NAME_MAX], 2
    while name.lower() in used:  # Excel compares sheet names without case
        suffix = f" ({i})"
        name, i = base[: SHEET_NAME_MAX - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name
