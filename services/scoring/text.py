"""Text normalisation and keyword matching that respects Chinese and English word boundaries.

Both transcripts and keywords go through ``normalise``: Traditional → Simplified, full-width →
half-width (NFKC), lower case, and runs of three or more Chinese digits (一三八…, 幺) → Arabic
digits, so 一二三一五 and 12315 are the same keyword. Matching is Aho-Corasick over the
normalised text (one automaton per pack); a Chinese match counts only if jieba puts word
boundaries at both its ends, so 不行 never matches inside 不行政.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick

from services.speech.transcribe import simplified

_ZH_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
              "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_ZH_DIGIT_RUN = re.compile(f"[{''.join(_ZH_DIGITS)}]{{3,}}")
_CJK = re.compile(r"[\u3400-\u9fff]")
# jieba looks this far around a match to decide where the words are.
_CONTEXT = 6


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


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is made of whole words (jieba for Chinese, \\w for the rest)."""
    first, last = text[start], text[end - 1]
    if not is_chinese(first) and start > 0 and _word_char(first) and _word_char(text[start - 1]):
        return False
    if not is_chinese(last) and end < len(text) and _word_char(last) and _word_char(text[end]):
        return False
    if not (is_chinese(first) or is_chinese(last)):
        return True
    lo, hi = max(0, start - _CONTEXT), min(len(text), end + _CONTEXT)
    cuts = {lo, hi}
    # Search mode also cuts long words into their parts (行政部门 → 行政, 部门, 行政部门), so a
    # keyword matches a compound's part but still not across a word (不行政 = 不 + 行政).
    for _word, s, e in _jieba().tokenize(text[lo:hi], mode="search"):
        cuts.update((lo + s, lo + e))
    return (start in cuts or not is_chinese(first)) and (end in cuts or not is_chinese(last))


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

    def find(self, text: str) -> list[KeywordMatch]:
        """Whole-word occurrences in an already normalised text, in order."""
        if not self._terms:
            return []
        found = []
        for last, (length, terms) in self._built().iter(text):
            start, end = last - length + 1, last + 1
            if on_word_boundaries(text, start, end):
                found += [KeywordMatch(term, start, end) for term in terms]
        return found
