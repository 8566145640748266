"""Report charts as PNG or SVG, drawn on the server by matplotlib with a CJK font.

Figures are made with matplotlib's object API and the Agg renderer, never pyplot, so no global
figure state is shared between requests; the font settings are set once for the process. Text
is set in WenQuanYi Micro Hei (Debian's
fonts-wqy-microhei), which holds both the Chinese and the Latin glyphs; SVG text is written as
paths, so a browser without a CJK font shows the same glyphs.
"""

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from services.reports.pareto import ParetoRow
from services.reports.spc import ControlChart

CJK_FAMILY = "WenQuanYi Micro Hei"
DEBIAN_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FORMATS = ("png", "svg")

CHART_TITLES = {
    "p": "p 图 p chart",
    "laney-p": "Laney p′ 图 p′ chart",
    "xbar": "均值图 X-bar chart",
    "s": "标准差图 S chart",
}
VALUE_LABELS = {
    "p": "违规率 Violation rate",
    "laney-p": "违规率 Violation rate",
    "xbar": "平均分 Mean score",
    "s": "标准差 Std. deviation",
}


class ChartFontMissing(RuntimeError):
    """The CJK font is not installed, so Chinese labels would render as empty boxes."""


@cache
def cjk_font_path(family: str = CJK_FAMILY) -> str:
    """The file of the CJK font charts are drawn with; refuses to fall back to another font."""
    wanted = font_manager.FontProperties(family=family)
    try:
        return str(font_manager.findfont(wanted, fallback_to_default=False))
    except ValueError:
        pass
    # matplotlib caches its font list; one built before the font was installed lacks it.
    if family == CJK_FAMILY and Path(DEBIAN_FONT).exists():
        font_manager.fontManager.addfont(DEBIAN_FONT)
        return str(font_manager.findfont(wanted, fallback_to_default=False))
    raise ChartFontMissing(
        f"font {family!r} not found: install the Debian package fonts-wqy-microhei "
        "(scripts/setup does) / 未找到中文字体，请安装 fonts-wqy-microhei"
    )


def render_pareto(rows: Sequence[ParetoRow], *, title: str, fmt: str = "png") -> bytes:
    """A Pareto chart: bars of counts, the cumulative % line, the vital few in red."""
    prepare(fmt)
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    x = range(len(rows))
    colors = ["#c0392b" if r.vital else "#95a5a6" for r in rows]
    ax.bar(x, [r.count for r in rows], color=colors)
    ax.set_xticks(list(x), [r.category for r in rows], rotation=30, ha="right")
    ax.set_ylabel("违规次数 Violations")
    cumulative = ax.twinx()
    cumulative.plot(x, [100 * r.cumulative for r in rows], color="#2c3e50", marker="o")
    cumulative.axhline(80, color="#2c3e50", linestyle=":", linewidth=1)
    cumulative.set_ylim(0, 105)
    cumulative.set_ylabel("累计百分比 Cumulative %")
    ax.set_title(title)
    return save(fig, fmt)


def render_control_charts(charts: Sequence[ControlChart], *, title: str, fmt: str = "png") -> bytes:
    """Control charts stacked (e.g. X-bar over S), out-of-control points in red with their rules."""
    if not charts:
        raise ValueError("no chart to draw / 没有可绘制的图")
    prepare(fmt)
    fig = Figure(figsize=(9, 3.2 * len(charts)), layout="constrained")
    axes = fig.subplots(len(charts), 1, squeeze=False)[:, 0]
    for ax, chart in zip(axes, charts, strict=True):
        _draw_control_chart(ax, chart)
    fig.suptitle(title)
    return save(fig, fmt)


def _draw_control_chart(ax: Axes, chart: ControlChart) -> None:
    x = list(range(len(chart.values)))
    ax.plot(x, chart.values, color="#2c3e50", marker="o", markersize=3, linewidth=1)
    # Limits that follow each point's n are drawn as steps around it.
    ax.step(x, chart.ucl, where="mid", color="#c0392b", linewidth=1, label="UCL 上控制限")
    ax.step(x, chart.lcl, where="mid", color="#c0392b", linewidth=1, label="LCL 下控制限")
    ax.step(x, chart.center, where="mid", color="#27ae60", linewidth=1, label="CL 中心线")
    rules: dict[int, list[int]] = {}
    for s in chart.signals:
        rules.setdefault(s.index, []).append(s.rule)
    for i, broken in sorted(rules.items()):
        ax.plot(i, chart.values[i], "o", color="#e74c3c", markersize=7)
        ax.annotate(
            "WE " + ",".join(map(str, sorted(set(broken)))),
            (i, chart.values[i]),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    name = CHART_TITLES.get(chart.kind, chart.kind)
    if chart.sigma_z is not None:
        name += f"  σ_z = {chart.sigma_z:.2f}"
    ax.set_title(name, fontsize=10)
    ax.set_ylabel(VALUE_LABELS.get(chart.kind, ""))
    step = max(1, len(x) // 15)
    ax.set_xticks(x[::step], chart.labels[::step], rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=8, loc="upper left")


def prepare(fmt: str) -> None:
    """Checks the format and sets the CJK font (once): every chart is drawn after this."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be png or svg, got {fmt!r} / 格式须为 png 或 svg")
    _use_cjk_font()


@cache
def _use_cjk_font() -> None:
    # Set once for the process and never restored: rc_context saves and restores the global
    # rcParams, so two requests drawing at once in two threads could restore each other's
    # default font mid-drawing. Every chart of zhijian wants these settings.
    cjk_font_path()  # fail with the install hint rather than draw boxes
    rcParams.update(
        {
            "font.family": [CJK_FAMILY],
            "svg.fonttype": "path",
            "svg.hashsalt": "zhijian",  # the same chart gives the same SVG
        }
    )


def save(fig: Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, the same for the same chart."""
    buffer = io.BytesIO()
    # No date or version stamped in: the same chart gives the same bytes.
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(buffer, format=fmt, dpi=110, metadata=metadata)
    return buffer.getvalue()
