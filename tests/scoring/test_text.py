"""Keyword matching respects Chinese and English word boundaries, script, width and digits."""

import pytest

from services.scoring.text import KeywordIndex, normalise


def _found(keyword: str, text: str) -> bool:
    index = KeywordIndex()
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
def test_keywords_are_found_as_whole_words(keyword, text):
    assert _found(keyword, text)


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
def test_keywords_never_match_inside_longer_words(keyword, text):
    assert not _found(keyword, text)


def test_one_automaton_serves_every_keyword_and_synonym():
    index = KeywordIndex()
    for word, term in (("投诉", "complaint"), ("举报", "complaint"), ("起诉", "lawsuit")):
        index.add(word, term)

    found = index.find(normalise("我要举报你们，还要去法院起诉"))

    assert [m.term for m in found] == ["complaint", "lawsuit"]


def test_normalisation_is_simplified_half_width_lower_case():
    assert normalise("請問ＡＢＣ１２３") == "请问abc123"
    assert normalise("一个星期") == "一个星期"  # single numerals in words stay words
