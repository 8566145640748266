"""Text normalisation and keyword matching that respects Chinese and English word boundaries.

Both transcripts and keywords go through ``normalise``: Traditional → Simplified, full-width →
half-width (NFKC), lower case, and runs of three or more Chinese digits (一三八…, 幺) → Arabic
digits, so 一二三一五 and 12315 are the same keyword. Matching is Aho-Corasick over the
normalised text (compiled once per pack); a Chinese match counts only if jieba puts word
boundaries at both its ends, so 不行 never matches inside 不行政. The boundaries are computed
once per turn when the transcript is stored (see analysis.py), not while scoring, and stored
as a string of word edges: "1" where a word starts or ends, so that checking a match's end is
one index into it.

Many turns are searched at once, joined by newlines: by the automaton, and by a regular
expression relaxed so that what it finds in the joined text points at the few turns worth
searching one by one with the real pattern.
"""

import bisect
import itertools
import operator
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import ahocorasick

from services.speech.transcribe import simplified

try:
    import daachorse
except ImportError:  # no wheel for this platform (Linux on ARM): pyahocorasick does the work
    daachorse = None  # type: ignore[assignment]

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


@dataclass(frozen=True)
class KeywordMatch:
    """One keyword occurrence in one normalised text."""

    term: str  # the canonical term of the synonym group
    start: int
    end: int


# How a match's edge is checked, decided once per keyword from the keyword's own edge character
# (the text's character there is the same): a Chinese edge must be a jieba word boundary, a
# letter or digit must not touch another one, and punctuation needs no check.
_CUT, _WORD, _FREE = 0, 1, 2
# Between and around joined texts: a newline, which normalised turn text never holds.
_SEPARATOR = "\n"

Hit = tuple[int, str, int, int]  # (text label, term, start, end)


def _edge_kind(ch: str) -> int:
    return _CUT if is_chinese(ch) else _WORD if _word_char(ch) else _FREE


def outermost(hits: list[Hit]) -> list[Hit]:
    """The hits that are not inside another hit in the same text: where 请您稍等 was said,
    稍等 was not said again. ``hits`` are in text order, as ``find_all`` gives them: by end,
    the longest first, so a hit can only be inside the last one kept, and the ones inside a
    hit are the last ones kept."""
    kept: list[Hit] = []
    for hit in hits:
        label, _, start, end = hit
        if kept and kept[-1][0] == label and kept[-1][2] <= start and end <= kept[-1][3]:
            continue
        while kept and kept[-1][0] == label and kept[-1][2] >= start:
            kept.pop()
        kept.append(hit)
    return kept


def _text_order(hit: Hit) -> tuple[int, int]:
    """Where the automaton reports a match: by its end, the longest first."""
    return hit[3], hit[2]


@dataclass(slots=True)
class JoinedTexts:
    """Texts joined by separators, so that one automaton pass searches them all."""

    joined: str
    starts: list[int]  # where each text starts in ``joined``, then where the last one ends + 1
    labels: Sequence[int]  # what a match reports as its text (its index, or a turn position)
    edges: Sequence[str]  # word_edges of the text labelled ``i`` at ``i``

    def __len__(self) -> int:
        return len(self.labels)


def join_texts(
    texts: Sequence[str],
    labels: Sequence[int] | None = None,
    edges: Sequence[str] | None = None,
) -> JoinedTexts:
    """Joins normalised texts labelled by their index (or ``labels``), with their word edges
    by label (worked out here if not given, for texts labelled by index)."""
    if edges is None:
        assert labels is None, "texts with labels come with their word edges"
        edges = list(map(word_edges, texts))
    labels = range(len(texts)) if labels is None else labels
    # A separator before the first text and after the last: every match has both neighbours.
    joined = _SEPARATOR + _SEPARATOR.join(texts) + _SEPARATOR
    # Text k starts after the first separator, the k texts before it and their k separators.
    before = itertools.accumulate(map(len, texts), initial=1)
    starts = list(map(operator.add, before, itertools.count()))
    return JoinedTexts(joined, starts, labels, edges)


def _whole_word(
    joined: str, at: int, span: tuple[int, int], kinds: tuple[int, int], edges: str
) -> bool:
    """Whether a match is made of whole words: ``span`` in a text whose word edges are
    ``edges``, found at ``at`` in ``joined`` (where its neighbours are)."""
    (start, end), (start_kind, end_kind) = span, kinds
    if start_kind == _CUT and edges[start] != EDGE:
        return False
    if start_kind == _WORD and _word_char(joined[at - 1]):
        return False
    if end_kind == _CUT and edges[end] != EDGE:
        return False
    return not (end_kind == _WORD and _word_char(joined[at + end - start]))


# A search: every keyword occurrence in a text, overlapping, as (start, end, keyword number),
# by end and the longest first.
Search = Callable[[str], list[tuple[int, int, int]]]
ENGINES = ("daachorse", "pyahocorasick") if daachorse is not None else ("pyahocorasick",)


def _search(keys: list[str], engine: str) -> Search:
    """A search for ``keys`` by one of the ENGINES.

    daachorse (a character-wise double-array automaton, in Rust) costs the same per character
    however many keywords there are. pyahocorasick compares each character with the first
    character of every keyword: searching 700 characters takes it 2.7 times as long as
    daachorse when the keywords start with 30 different characters, 36 times with 500 (a word
    list of a few thousand keywords). It is kept for platforms daachorse has no wheel for.
    """
    if engine == "daachorse":
        return daachorse.CharwiseDoubleArrayAhoCorasick(keys).find_overlapping
    automaton = ahocorasick.Automaton()
    for number, key in enumerate(keys):
        automaton.add_word(key, (number, len(key)))
    automaton.make_automaton()

    def search(text: str) -> list[tuple[int, int, int]]:
        return [(last + 1 - n, last + 1, number) for last, (number, n) in automaton.iter(text)]

    return search


class _Keyword(NamedTuple):
    """What checking and reporting one keyword's matches needs."""

    chinese: bool  # both ends are Chinese: both must be word edges, and that is all
    kinds: tuple[int, int]  # how its first and last character are checked (_CUT, _WORD, _FREE)
    owned: tuple[tuple[Hashable, str], ...]  # (owner, term) of each owner that asked for it


def _keyword(key: str, terms: set[tuple[Hashable, str]]) -> _Keyword:
    kinds = _edge_kind(key[0]), _edge_kind(key[-1])
    owned = tuple(sorted(terms, key=lambda t: (str(t[0]), t[1])))
    return _Keyword(kinds == (_CUT, _CUT), kinds, owned)


class KeywordIndex:
    """Keywords in one Aho-Corasick automaton; each maps to the terms it says, per owner.

    An owner is whoever asked for the keyword (a rule condition); matches come back grouped by
    owner, so that after one pass over a call each owner just reads its own list.
    """

    def __init__(self, engine: str = ENGINES[0]) -> None:
        self.engine = engine
        self._terms: dict[str, set[tuple[Hashable, str]]] = {}
        self._built: tuple[Search, list[_Keyword]] | None = None

    def add(self, keyword: str, term: str, owner: Hashable = None) -> None:
        """Registers ``keyword`` as a way of saying ``term``, for ``owner``."""
        key = normalise(keyword).strip()
        if key:
            self._terms.setdefault(key, set()).add((owner, term))
            self._built = None

    def _automaton(self) -> tuple[Search, list[_Keyword]]:
        if self._built is None:
            keys = list(self._terms)
            keywords = [_keyword(key, self._terms[key]) for key in keys]
            self._built = _search(keys, self.engine), keywords
        return self._built

    def find(self, text: str, edges: str | None = None) -> list[KeywordMatch]:
        """Whole-word occurrences in a normalised text whose word edges are ``edges``."""
        found = self.find_all(join_texts([text], None, [edges] if edges is not None else None))
        hits = sorted((hit for owned in found.values() for hit in owned), key=_text_order)
        return [KeywordMatch(term, start, end) for _, term, start, end in hits]

    def find_all(
        self, texts: JoinedTexts, first: int = 0, stop: int | None = None
    ) -> dict[Any, list[Hit]]:
        """Per owner, (label, term, start, end) of every whole-word occurrence in
        texts[first:stop], in text order, found in one automaton pass."""
        stop = len(texts) if stop is None else stop
        if not self._terms or first >= stop:
            return {}
        joined, starts, labels, edges = texts.joined, texts.starts, texts.labels, texts.edges
        if first == 0 and stop == len(texts):
            haystack, offset = joined, 0
        else:  # those texts, with the separators around them
            offset = starts[first] - 1
            haystack = joined[offset : starts[stop]]
        search, keywords = self._automaton()
        bisect_right = bisect.bisect_right
        found: dict[Hashable, list[Hit]] = defaultdict(list)
        # The hot loop of keyword matching: a call has dozens of matches, so each costs little.
        for begin, finish, number in search(haystack):
            chinese, kinds, owned = keywords[number]
            at = begin + offset
            index = bisect_right(starts, at) - 1
            start = at - starts[index]
            end = start + finish - begin
            label = labels[index]
            if chinese:
                text_edges = edges[label]
                if text_edges[start] != EDGE or text_edges[end] != EDGE:
                    continue
            elif not _whole_word(joined, at, (start, end), kinds, edges[label]):
                continue
            for owner, term in owned:
                found[owner].append((label, term, start, end))
        return dict(found)


# Patterns whose assertions cannot simply be left out: verbose mode (comments may hold anything),
# back-references and conditionals (leaving out a group inside an assertion renumbers the rest).
_UNSURE = re.compile(r"\(\?[a-zA-Z-]*x|\\[1-9]|\(\?P=|\(\?\(")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
_ANCHORS = ("^", "$", "\\A", "\\Z", "\\b", "\\B")
_QUANTIFIERS = "*+?{"


def relaxed_pattern(pattern: str) -> str | None:
    """``pattern`` without its anchors and lookaround assertions, or None where unsure.

    Assertions only ever reject a match, so what is left matches wherever the pattern does, and
    it never looks outside the text it matches: if it finds nothing in texts joined together,
    the pattern matches none of them. A repeated assertion, verbose mode or back-references
    give None.
    """
    if _UNSURE.search(pattern):
        return None
    kept, i = [], 0
    while i < len(pattern):
        end = _token_end(pattern, i)
        token = pattern[i:end]
        if token.startswith(_LOOKAROUNDS) or token in _ANCHORS:
            if pattern[end : end + 1] and pattern[end] in _QUANTIFIERS:
                return None  # a repeated assertion: leaving it out would repeat what is before
        elif not token.startswith("(?#"):  # comments go too
            kept.append(token)
        i = end
    return "".join(kept)


# A count right after a pattern's first token: {m}, {m,} or {m,n} with m at least 1.
_LEADING_COUNT = re.compile(r"\{([1-9][0-9]*)(,([0-9]*))?\}")
_SPECIAL = set("()|^$*+?{}\\")


def one_first(pattern: str) -> str:
    """``pattern`` with a leading counted character written once before its count
    (``\\d{17}x`` → ``\\d\\d{16}x``): the same matches, found faster.

    Python's regex engine scans quickly for a pattern's first character, but not for a count:
    ``\\d{17}`` is tried at every position of a long text, ``\\d\\d{16}`` only at digits.
    """
    end = _token_end(pattern, 0) if pattern else 0
    first, rest = pattern[:end], pattern[end:]
    single = first.startswith("[") or first in ("\\d", "\\D", "\\s", "\\S", "\\w", "\\W")
    if not (single or (len(first) == 1 and first not in _SPECIAL)):
        return pattern
    count = _LEADING_COUNT.match(rest)
    if count is None:
        return pattern
    low, high = int(count.group(1)) - 1, count.group(3)  # {m,} keeps its open end
    less = f"{{{low},{int(high) - 1}}}" if high else f"{{{low}{count.group(2) or ''}}}"
    return first + first + less + rest[count.end() :]


def regex_matches(
    exact: re.Pattern[str], quick: re.Pattern[str], texts: JoinedTexts
) -> list[tuple[int, re.Match[str]]]:
    """(label, match) of each text ``exact`` matches, where ``quick`` is its relaxed pattern.

    Only texts in which a ``quick`` match starts are searched: a text ``exact`` matches holds a
    ``quick`` match, and the leftmost ``quick`` match from any point starts at or before it.
    """
    found = []
    at = texts.starts[0]
    while (candidate := quick.search(texts.joined, at)) is not None:
        index = bisect.bisect_right(texts.starts, candidate.start()) - 1
        if index == len(texts):  # an empty match at the very end
            break
        start, stop = texts.starts[index], texts.starts[index + 1] - 1
        match = exact.search(texts.joined[start:stop])  # the text alone, as rules read it
        if match is not None:
            found.append((texts.labels[index], match))
        at = stop + 1
    return found


def _token_end(pattern: str, i: int) -> int:
    """Where the token at ``i`` ends: a lookaround, comment or class whole, an escape, a char."""
    if pattern.startswith(_LOOKAROUNDS, i):
        return _group_end(pattern, i)
    if pattern.startswith("(?#", i):
        end = pattern.find(")", i)
        return len(pattern) if end < 0 else end + 1
    if pattern[i] == "[":
        return _class_end(pattern, i)
    return i + 2 if pattern[i] == "\\" else i + 1


def _class_end(pattern: str, i: int) -> int:
    """Where the character class opening at ``i`` ends (after its ``]``)."""
    j = i + 1
    j += pattern.startswith("^", j)
    j += pattern.startswith("]", j)  # a ] first in the class is a character
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _group_end(pattern: str, i: int) -> int:
    """Where the group opening at ``i`` ends (after its ``)``)."""
    depth, j = 0, i
    while j < len(pattern):
        if pattern[j] in "()" and not pattern.startswith("(?#", j):
            depth += 1 if pattern[j] == "(" else -1
            j += 1
            if depth == 0:
                break
        else:
            j = _token_end(pattern, j)
    return j
