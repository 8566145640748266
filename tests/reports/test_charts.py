"""Charts drawn on the server with Chinese labels.

- The chart font is WenQuanYi Micro Hei from fonts-wqy-microhei, and it maps every character
  of the labels.
- Rendered, each Chinese character is ink that differs from what the renderer draws for an
  ideograph the font lacks (matplotlib's last-resort "tofu" box for the CJK block) and from
  every other character. The same check on DejaVu Sans, which has no Chinese, finds only that
  box: the check can fail.
- A Pareto chart and p/X̄–S charts with Chinese text render as PNG and SVG without a
  missing-glyph warning (a font without Chinese does warn), and every glyph in the SVG is the
  CJK font's own glyph of that character, also when threads draw at once.
"""

import io
import re
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.image import imread

from services.reports.charts import (
    CHART_TITLES,
    CJK_FAMILY,
    VALUE_LABELS,
    ChartFontMissing,
    cjk_font_path,
    render_control_charts,
    render_pareto,
)
from services.reports.pareto import pareto
from services.reports.spc import Proportion, Scores, p_chart, xbar_s_charts

TITLE = "违规帕累托图 质检中心 二零二六年"
CATEGORIES = {"未核实身份": 50, "未致结束语": 30, "抢话": 10, "禁用语": 6, "语速过快": 4}


def chinese(text: str) -> list[str]:
    """The CJK unified ideographs (U+4E00–U+9FFF) of a text, once each."""
    return sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})


def missing_ideograph(font_path: str) -> str:
    """An ideograph of the same Unicode block that the font has no glyph for."""
    charmap = FT2Font(font_path).get_charmap()
    return chr(next(c for c in range(0x9FFF, 0x4E00, -1) if c not in charmap))


LABEL_CHARS = chinese(
    TITLE + "".join(CATEGORIES) + "".join(CHART_TITLES.values()) + "".join(VALUE_LABELS.values())
)


def ink(char: str, font_path: str) -> np.ndarray:
    """The dark pixels of one character drawn alone at 48 pt, cropped to their bounding box."""
    fig = Figure(figsize=(1.2, 1.2), dpi=100)
    fig.text(
        0.5,
        0.5,
        char,
        fontproperties=FontProperties(fname=font_path, size=48),
        ha="center",
        va="center",
    )
    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing glyph's own warning, drawn on purpose
        canvas.draw()
    dark = np.asarray(canvas.buffer_rgba())[:, :, 0] < 128
    rows, cols = np.nonzero(dark)
    if not len(rows):
        return dark[:0, :0]
    return dark[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def test_the_chart_font_is_the_cjk_font_and_maps_every_label_character() -> None:
    font = FT2Font(cjk_font_path())
    assert font.family_name == CJK_FAMILY
    assert cjk_font_path().endswith("wqy-microhei.ttc")
    charmap = font.get_charmap()
    assert len(LABEL_CHARS) > 30
    assert [c for c in LABEL_CHARS if ord(c) not in charmap] == []


def test_chinese_characters_render_as_themselves_not_as_the_missing_glyph_box() -> None:
    path = cjk_font_path()
    tofu = ink(missing_ideograph(path), path)
    assert tofu.sum() > 0
    drawn = {c: ink(c, path) for c in LABEL_CHARS}
    for c, pixels in drawn.items():
        assert pixels.sum() > 40, c
        assert not np.array_equal(pixels, tofu), c
    # Tofu is one mark for every character; real glyphs are all different.
    distinct = {(p.shape, p.tobytes()) for p in drawn.values()}
    assert len(distinct) == len(drawn)


def test_the_same_check_finds_tofu_in_a_font_without_chinese() -> None:
    latin = findfont(FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    assert ord("质") not in FT2Font(latin).get_charmap()
    tofu = ink(missing_ideograph(latin), latin)
    assert tofu.sum() > 0
    assert all(np.array_equal(ink(c, latin), tofu) for c in LABEL_CHARS)


def test_rendering_chinese_in_a_font_without_it_warns() -> None:
    # The end-to-end tests below rely on this warning to catch a missing glyph.
    fig = Figure()
    fig.text(0.5, 0.5, "质检", fontproperties=FontProperties(family="DejaVu Sans"))
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_pareto_chart_renders_with_every_glyph(fmt: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = render_pareto(pareto(CATEGORIES), title=TITLE, fmt=fmt)
    check_image(image, fmt)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_control_charts_render_with_every_glyph_and_mark_signals(fmt: str) -> None:
    counts = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
    p = p_chart([Proportion(f"第{i + 1}天", x, 50) for i, x in enumerate(counts)])
    scores = [Scores(f"第{d}天", [80 + (i * 7 + d) % 9 for i in range(5)]) for d in range(10)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = render_control_charts([p, *xbar_s_charts(scores)], title=TITLE, fmt=fmt)
    assert [(s.index, s.rule) for s in p.signals] == [(14, 1)]
    check_image(image, fmt)


def test_charts_drawn_in_parallel_threads_all_use_the_cjk_font() -> None:
    rows = pareto(CATEGORIES)
    with ThreadPoolExecutor(4) as pool:
        images = list(pool.map(lambda _: render_pareto(rows, title=TITLE, fmt="svg"), range(8)))
    for image in images:
        check_image(image, "svg")
    assert len(set(images)) == 1  # and the same chart is the same SVG


def check_image(image: bytes, fmt: str) -> None:
    if fmt == "png":
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        pixels = imread(io.BytesIO(image))
        assert pixels.shape[0] > 300 and pixels.shape[1] > 600
        return
    text = image.decode()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    # Text is drawn as glyph paths with ids "<font>-<glyph index>": every glyph is the CJK
    # font's, none is its missing glyph (index 0), and the title's characters are all there.
    glyphs = set(re.findall(r'id="([A-Za-z]+)-([0-9a-f]+)"', text))
    assert {font for font, _ in glyphs} == {"WenQuanYiMicroHei"}
    assert ("WenQuanYiMicroHei", "0") not in glyphs
    font = FT2Font(cjk_font_path())
    for c in chinese(TITLE):
        assert ("WenQuanYiMicroHei", f"{font.get_char_index(ord(c)):x}") in glyphs, c


def test_an_absent_font_is_an_error_that_says_what_to_install() -> None:
    with pytest.raises(ChartFontMissing, match="fonts-wqy-microhei"):
        cjk_font_path("No Such Font Family")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="png or svg"):
        render_pareto(pareto(CATEGORIES), title=TITLE, fmt="gif")
