"""Text normalisation and keyword matching that respects Chinese and English word boundaries.

Both transcripts and keywords go through ``normalise``: Traditional → Simplified, full-width →
half-width (NFKC), lower case, and runs of three or more Chinese digits (一三八…, 幺) → Arabic
digits, so 一二三一五 and 12315 are the same keyword. Matching is Aho-Corasick over the
normalised text (one automaton per pack); a Chinese match counts only if jieba puts word
boundaries at both its ends, so 不行 never matches inside 不行政. The boundaries are computed
once per turn when the transcript is stored (see analysis.py), not while scoring.
"""

import bisect
import itertools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick

from services.speech.transcribe import simplified

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


def _word_char(ch: str) -> bool:
    """A letter or digit of a space-separated script (Chinese has no spaces between words)."""
    return (ch.isalnum() or ch == "_") and not is_chinese(ch)


def jieba_cuts(norm: str) -> tuple[int, ...]:
    """Every word boundary jieba sees in a normalised text.

    Search mode also cuts long words into their parts (行政部门 → 行政, 部门, 行政部门), so a
    keyword matches a compound's part but never across a word (不行政 = 不 + 行政).
    """
    cuts = {0, len(norm)}
    for _word, start, end in _jieba().tokenize(norm, mode="search"):
        cuts.update((start, end))
    return tuple(sorted(cuts))


def on_word_boundaries(text: str, start: int, end: int, cuts: Collection[int]) -> bool:
    """Whether text[start:end] is made of whole words (``cuts`` for Chinese, \\w for the rest)."""
    first, last = text[start], text[end - 1]
    if is_chinese(first):
        if start not in cuts:
            return False
    elif start > 0 and _word_char(first) and _word_char(text[start - 1]):
        return False
    if is_chinese(last):
        return end in cuts
    return not (end < len(text) and _word_char(last) and _word_char(text[end]))


@dataclass(frozen=True)
class KeywordMatch:
    """One keyword occurrence in one normalised text."""

    term: str  # the canonical term of the synonym group
    start: int
    end: int


class KeywordIndex:
    """All keywords of a pack in one Aho-Corasick automaton; each maps to its canonical terms."""

    def __init__(self) -> None:
        self._terms: dict[str, set[str]] = {}
        self._automaton: Any = None

    def add(self, keyword: str, term: str) -> None:
        """Registers ``keyword`` as a way of saying ``term``."""
        key = normalise(keyword).strip()
        if key:
            self._terms.setdefault(key, set()).add(term)
            self._automaton = None

    def _built(self) -> Any:
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for key, terms in self._terms.items():
                automaton.add_word(key, (len(key), tuple(sorted(terms))))
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def find(self, text: str, cuts: Collection[int] | None = None) -> list[KeywordMatch]:
        """Whole-word occurrences in a normalised text whose word boundaries are ``cuts``."""
        return [m for _, m in self.find_all([text], [cuts] if cuts is not None else None)]

    def find_all(
        self, texts: list[str], cuts: list[Collection[int]] | None = None
    ) -> list[tuple[int, KeywordMatch]]:
        """(text index, match) for many texts in one automaton pass over them all."""
        if not self._terms or not texts:
            return []
        joined = "\n".join(texts)  # no keyword holds a newline: no match spans two texts
        offsets = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        found = []
        for last, (length, terms) in self._built().iter(joined):
            index = bisect.bisect_right(offsets, last) - 1
            text, base = texts[index], offsets[index]
            start, end = last - length + 1 - base, last + 1 - base
            if cuts is None:
                boundaries: Collection[int] = jieba_cuts(text) if is_chinese(text) else ()
            else:
                boundaries = cuts[index]
            if on_word_boundaries(text, start, end, boundaries):
                found += [(index, KeywordMatch(term, start, end)) for term in terms]
        return found
