"""Text is compared in one normal form, Chinese word edges are where jieba cuts, and regexes
searched over many turns at once find what they find in each turn."""

import pytest

from services.scoring.rules.matching import join_texts, one_first, regex_matches, relaxed_pattern
from services.scoring.rules.patterns import Budget, compile_pattern
from services.text.normalise import normalise, word_edges


def test_normalisation_is_simplified_half_width_lower_case():
    assert normalise("請問ＡＢＣ１２３") == "请问abc123"
    assert normalise("一个星期") == "一个星期"  # single numerals in words stay words


def test_word_edges_mark_where_words_start_or_end():
    assert word_edges("我要投诉") == "10101"  # 我要|投诉
    assert word_edges("不行政") == "1101"  # 不|行政: no edge between 不行 and 政
    assert word_edges("refund now") == "10000000001"  # only Chinese is cut here
    assert word_edges("") == "1"


@pytest.mark.parametrize(
    ("pattern", "relaxed"),
    [
        (r"(?<!\d)1[3-9]\d{9}(?!\d)", r"1[3-9]\d{9}"),
        (r"^您好|再见$", "您好|再见"),
        (r"\bsue\b", "sue"),
        (r"[\]^$(](?<=[)])x", r"[\]^$(]x"),  # inside a class, ^ $ ( are characters
        (r"\[(phone|email)\]", r"\[(phone|email)\]"),
        (r"a(?=b)*", None),  # a repeated assertion
        (r"(?=(a))(b)\2", None),  # a back-reference
        (r"(?x) a b", None),  # verbose
    ],
)
def test_a_relaxed_pattern_leaves_out_anchors_and_lookarounds(pattern, relaxed):
    assert relaxed_pattern(pattern) == relaxed


@pytest.mark.parametrize(
    ("pattern", "rewritten"),
    [
        (r"\d{17}[\dx]", r"\d\d{16}[\dx]"),
        (r"\d{16,19}", r"\d\d{15,18}"),
        (r"[0-9]{2,}?x", r"[0-9][0-9]{1,}?x"),
        (r".{1}", r"..{0}"),
        (r"1[3-9]\d{9}", r"1[3-9]\d{9}"),  # the count is not on the first character
        (r"\d{0,3}", r"\d{0,3}"),  # the first character may not be there at all
        (r"(ab){2}", r"(ab){2}"),  # a group, not one character
        (r"\x41{3}", r"\x41{3}"),  # an escape longer than two characters
        ("", ""),
    ],
)
def test_a_leading_count_is_written_with_its_character_first(pattern, rewritten):
    assert one_first(pattern) == rewritten


@pytest.mark.parametrize(
    "pattern",
    [r"^\d+$", r"(?<!\d)\d{3}(?!\d)", r"(?<=x)y", r"\bab", r"a\s*b", r"(?<!\n)z",
     r"(?<!\d)\d{3,4}(?!\d)"],
)  # fmt: skip
def test_regex_matches_are_those_of_each_text_on_its_own(pattern):
    texts = ["123", "x", "y", "ab 1234", "a", "b", "z", "", "4567 ab"]
    exact = compile_pattern(pattern, ignore_case=False)
    quick = compile_pattern(one_first(relaxed_pattern(pattern) or ""), ignore_case=False)

    found = regex_matches(exact, quick, join_texts(texts), Budget())

    expected = [(i, m.group()) for i, t in enumerate(texts) if (m := exact.search(t))]
    assert [(i, m.group()) for i, m in found] == expected
