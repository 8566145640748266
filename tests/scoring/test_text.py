"""Keyword matching respects Chinese and English word boundaries, script, width and digits;
regexes searched over many turns at once find what they find in each turn."""

import random
import re

import pytest

from services.scoring.text import (
    ENGINES,
    KeywordIndex,
    join_texts,
    normalise,
    one_first,
    outermost,
    regex_matches,
    relaxed_pattern,
    word_edges,
)


@pytest.fixture(params=ENGINES)
def engine(request):
    """Each keyword search engine this platform has: both must find the same."""
    return request.param


def _found(keyword: str, text: str, engine: str) -> bool:
    index = KeywordIndex(engine)
    index.add(keyword, keyword)
    return bool(index.find(normalise(text)))


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("不行", "这个真的不行"),
        ("行政", "我去行政部门问问"),
        ("投诉", "我要投訴你們"),  # Traditional text, Simplified keyword
        ("12315", "我要打一二三一五投诉"),  # Chinese digits read out
        ("12315", "我要打12315"),  # full-width digits
        ("refund", "I want a REFUND now"),
        ("not my problem", "That is NOT my problem."),
    ],
)
def test_keywords_are_found_as_whole_words(keyword, text, engine):
    assert _found(keyword, text, engine)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("不行", "他在不行政的部门"),  # 不行 inside 不行政
        ("行政", "这个不行"),
        ("没办法", "我们有办法"),
        ("sue", "the issue is resolved"),
        ("refund", "refunds are processed"),
        ("12315", "call 123156"),
    ],
)
def test_keywords_never_match_inside_longer_words(keyword, text, engine):
    assert not _found(keyword, text, engine)


def test_one_automaton_serves_every_keyword_and_synonym(engine):
    index = KeywordIndex(engine)
    for word, term in (("投诉", "complaint"), ("举报", "complaint"), ("起诉", "lawsuit")):
        index.add(word, term)

    found = index.find(normalise("我要举报你们，还要去法院起诉"))

    assert [m.term for m in found] == ["complaint", "lawsuit"]


def test_normalisation_is_simplified_half_width_lower_case():
    assert normalise("請問ＡＢＣ１２３") == "请问abc123"
    assert normalise("一个星期") == "一个星期"  # single numerals in words stay words


def test_word_edges_mark_where_words_start_or_end():
    assert word_edges("我要投诉") == "10101"  # 我要|投诉
    assert word_edges("不行政") == "1101"  # 不|行政: no edge between 不行 and 政
    assert word_edges("refund now") == "10000000001"  # only Chinese is cut here
    assert word_edges("") == "1"


# Word edges by text label: 我要|投诉 (我 and 要 cut apart too), then texts without Chinese.
_EDGES = {10: "11101", 11: "1000001", 12: "10000000001", 13: "101"}


def test_one_pass_over_joined_texts_reports_each_match_with_its_text(engine):
    index = KeywordIndex(engine)
    index.add("投诉", "complaint", owner="upset")
    index.add("refund", "refund", owner="money")
    texts = join_texts(
        ["我要投诉", "refund", "no refunds", "投诉"], labels=[10, 11, 12, 13], edges=_EDGES
    )

    found = index.find_all(texts)

    assert found == {
        "upset": [(10, "complaint", 2, 4), (13, "complaint", 0, 2)],
        "money": [(11, "refund", 0, 6)],
    }
    assert index.find_all(texts, 1, 3) == {"money": [(11, "refund", 0, 6)]}


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
    exact = re.compile(pattern)
    quick = re.compile(one_first(relaxed_pattern(pattern) or ""))

    found = regex_matches(exact, quick, join_texts(texts))

    expected = [(i, m.group()) for i, t in enumerate(texts) if (m := exact.search(t))]
    assert [(i, m.group()) for i, m in found] == expected


def test_outermost_keeps_the_longest_of_nested_hits_in_each_text():
    hits = [  # text order: by end, the longest first
        (1, "a", 0, 2),
        (1, "b", 3, 5),
        (1, "c", 4, 5),  # inside b
        (1, "d", 1, 6),  # holds a? no (starts at 1); holds b and c
        (2, "e", 0, 2),  # the next text: never inside a hit of text 1
        (2, "e", 0, 2),  # the same spot twice
    ]

    assert outermost(hits) == [(1, "a", 0, 2), (1, "d", 1, 6), (2, "e", 0, 2)]


@pytest.mark.skipif(len(ENGINES) < 2, reason="one keyword search engine on this platform")
def test_both_engines_find_the_same_matches_in_the_same_order():
    rng = random.Random(5)
    alphabet = "不行政投诉稍等请您a b1"  # few characters: many overlapping matches
    words = {"".join(rng.choices(alphabet, k=rng.randint(1, 4))).strip() for _ in range(60)}
    indexes = [KeywordIndex(engine) for engine in ENGINES]
    for number, word in enumerate(sorted(w for w in words if w)):
        for index in indexes:
            index.add(word, word, owner=number % 7)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(200)]
    joined = join_texts([normalise(t) for t in texts])

    daachorse_found, pyahocorasick_found = (index.find_all(joined) for index in indexes)

    assert daachorse_found == pyahocorasick_found
    assert sum(map(len, daachorse_found.values())) > 500
    assert indexes[0].find_all(joined, 50, 60) == indexes[1].find_all(joined, 50, 60)
