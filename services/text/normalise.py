"""The text that rules read: normalisation and Chinese word edges.

Both transcripts and keywords go through ``normalise``: Traditional → Simplified, full-width →
half-width (NFKC), lower case, and runs of three or more Chinese digits (一三八…, 幺) → Arabic
digits, so 一二三一五 and 12315 are the same keyword. Where jieba cuts a Chinese text into
words is worked out once per turn when the transcript is stored (see analysis.py), not while
scoring, and stored as a string of word edges: "1" where a word starts or ends, so that
checking where a keyword match ends (keywords.py) is one index into it.
"""

import re
import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _to_simplified() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional → Simplified Chinese; other scripts pass through unchanged."""
    return str(_to_simplified().convert(text))


_ZH_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
              "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_ZH_DIGIT_RUN = re.compile(f"[{''.join(_ZH_DIGITS)}]{{3,}}")
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str) -> str:
    """The form every transcript and keyword is compared in."""
    text = unicodedata.normalize("NFKC", simplified(text)).lower()
    return _ZH_DIGIT_RUN.sub(lambda m: "".join(_ZH_DIGITS[c] for c in m.group()), text)


def is_chinese(text: str) -> bool:
    """Whether ``text`` contains Chinese characters."""
    return bool(_CJK.search(text))


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def word_char(ch: str) -> bool:
    """A letter or digit of a space-separated script (Chinese has no spaces between words)."""
    return (ch.isalnum() or ch == "_") and not is_chinese(ch)


EDGE = "1"  # a word starts or ends here (see word_edges)


def word_edges(norm: str) -> str:
    """Where words start or end in a normalised text: of ``len(norm) + 1`` characters, the
    ``i``-th is EDGE ("1") if a word starts or ends at ``norm[i]`` (or ``i`` is the end), else
    "0". Chinese text is cut by jieba; text without Chinese only has edges at its ends, as
    only a Chinese keyword's edge is checked here.

    Search mode also cuts long words into their parts (行政部门 → 行政, 部门, 行政部门), so a
    keyword matches a compound's part but never across a word (不行政 = 不 + 行政).
    """
    marks = ["0"] * (len(norm) + 1)
    marks[0] = marks[-1] = EDGE
    if is_chinese(norm):
        for _word, start, end in _jieba().tokenize(norm, mode="search"):
            marks[start] = marks[end] = EDGE
    return "".join(marks)
