"""Keyword search: every whole-word occurrence of a pack's keywords in a call's turns.

Keywords and turns are compared in their normalised form (text.normalise). A match counts only
where it is made of whole words: a Chinese end must fall on a jieba word edge (stored with each
turn, see text.word_edges), so 不行 never matches inside 不行政; a letter or digit must not
touch another one; punctuation needs no check.

Two engines search, and find the same (tests/scoring/test_keywords.py):

- ``native``: an Aho-Corasick automaton built here and run by the C extension
  ``_keyword_search`` (built at install time where there is a C compiler). It reads each turn's
  text and word edges where they are and hands back the matches grouped by owner, in one pass
  over the characters of each scope. Searching a call's agent turns takes it 3 µs with 50
  keywords, 11 µs with 3,000 or 20,000 (pyahocorasick: 15, 40 and 51 µs).
- ``pyahocorasick``: where the extension was not built. The turns are joined into one text
  for one automaton pass, and each match is checked and reported in Python.
"""

import bisect
import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick

from services.scoring.rules.matching import JoinedTexts, join_texts
from services.text.normalise import EDGE, is_chinese, normalise, word_char, word_edges

try:
    from services.scoring.rules import _keyword_search
except ImportError:  # not built on this machine: pyahocorasick does the work
    _keyword_search = None  # type: ignore[assignment]

ENGINES = ("native", "pyahocorasick") if _keyword_search is not None else ("pyahocorasick",)

Hit = tuple[int, str, int, int]  # (turn, term, start, end)
Found = dict[Any, list[Hit]]  # an owner's hits
# Every whole-word occurrence in the texts of some turns: (texts, edges, turns) → hits by owner.
FindTurns = Callable[[Sequence[str], Sequence[str], Sequence[int]], Found]


@dataclass(frozen=True)
class KeywordMatch:
    """One keyword occurrence in one normalised text."""

    term: str  # the canonical term of the synonym group
    start: int
    end: int


# How a match's edge is checked, decided once per keyword from the keyword's own edge character
# (the text's character there is the same): a Chinese edge must be a jieba word boundary, a
# letter or digit must not touch another one, and punctuation needs no check. The C extension
# knows them by these numbers.
_CUT, _WORD, _FREE = 0, 1, 2


def _edge_kind(ch: str) -> int:
    return _CUT if is_chinese(ch) else _WORD if word_char(ch) else _FREE


def outermost(hits: list[Hit]) -> list[Hit]:
    """The hits that are not inside another hit in the same text: where 请您稍等 was said,
    稍等 was not said again. ``hits`` are in text order, as ``find_turns`` gives them: by end,
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


class _Keyword(NamedTuple):
    """What checking and reporting one keyword's matches needs."""

    chinese: bool  # both ends are Chinese: both must be word edges, and that is all
    kinds: tuple[int, int]  # how its first and last character are checked (_CUT, _WORD, _FREE)
    owned: tuple[tuple[Hashable, str], ...]  # (owner, term) of each owner that asked for it


def _keyword(key: str, terms: set[tuple[Hashable, str]]) -> _Keyword:
    kinds = _edge_kind(key[0]), _edge_kind(key[-1])
    owned = tuple(sorted(terms, key=lambda t: (str(t[0]), t[1])))
    return _Keyword(kinds == (_CUT, _CUT), kinds, owned)


# --- native: tables for the C automaton --------------------------------------------------------


def _trie(keys: list[str]) -> tuple[list[dict[str, int]], list[int], dict[int, int]]:
    """The keys' trie, states numbered breadth first (so a failure link always goes back to a
    lower number, which the C side checks): each state's transitions, its failure link, and
    the state each key ends at (→ the key's number)."""
    children: list[dict[str, int]] = [{}]
    ends = {}
    for number, key in enumerate(keys):
        state = 0
        for ch in key:
            state = children[state].setdefault(ch, len(children))
            if state == len(children):
                children.append({})
        ends[state] = number
    order, queue = [], deque([0])
    while queue:
        state = queue.popleft()
        order.append(state)
        queue.extend(children[state].values())
    renumber = {state: n for n, state in enumerate(order)}
    goto = [{ch: renumber[t] for ch, t in children[state].items()} for state in order]
    fail = [0] * len(goto)  # the root's children fail to the root
    for state in range(1, len(goto)):  # breadth first: a state's link is known before its own
        for ch, child in goto[state].items():
            link = fail[state]
            while link and ch not in goto[link]:
                link = fail[link]
            fail[child] = goto[link].get(ch, 0)
    return goto, fail, {renumber[state]: number for state, number in ends.items()}


def _native(keys: list[str], keywords: list[_Keyword]) -> FindTurns:
    """The C automaton's find for ``keys`` (``keywords`` says how each is checked and
    reported)."""
    goto, fail, ends = _trie(keys)
    outputs: list[list[int]] = []  # the keys ending at each state: its own, then its link's
    for state in range(len(goto)):
        own = [ends[state]] if state in ends else []
        outputs.append(own + (outputs[fail[state]] if state else []))
    owners = sorted({owner for k in keywords for owner, _ in k.owned}, key=str)
    slot = {owner: n for n, owner in enumerate(owners)}
    transitions = [sorted(g.items()) for g in goto]  # by code point, for a binary search
    automaton = _keyword_search.Automaton(
        _offsets(map(len, transitions)),
        [ord(ch) for t in transitions for ch, _ in t],
        [child for t in transitions for _, child in t],
        fail,
        _offsets(map(len, outputs)),
        [k for out in outputs for k in out],
        list(map(len, keys)),
        [k.kinds[0] for k in keywords],
        [k.kinds[1] for k in keywords],
        _offsets(len(k.owned) for k in keywords),
        [slot[owner] for k in keywords for owner, _ in k.owned],
        [term for k in keywords for _, term in k.owned],
        tuple(owners),
    )
    return automaton.find


def _offsets(lengths: Iterable[int]) -> list[int]:
    """Where each of consecutive runs of ``lengths`` starts, then where the last one ends."""
    return list(itertools.accumulate(lengths, initial=0))


# --- pyahocorasick: one pass over joined texts, checked in Python ------------------------------


def _whole_word(
    joined: str, at: int, span: tuple[int, int], kinds: tuple[int, int], edges: str
) -> bool:
    """Whether a match is made of whole words: ``span`` in a text whose word edges are
    ``edges``, found at ``at`` in ``joined`` (where its neighbours are)."""
    (start, end), (start_kind, end_kind) = span, kinds
    if start_kind == _CUT and edges[start] != EDGE:
        return False
    if start_kind == _WORD and word_char(joined[at - 1]):
        return False
    if end_kind == _CUT and edges[end] != EDGE:
        return False
    return not (end_kind == _WORD and word_char(joined[at + end - start]))


# Every keyword occurrence in a text, overlapping, as (start, end, keyword number), by end and
# the longest first.
Search = Callable[[str], list[tuple[int, int, int]]]


def _pyahocorasick(keys: list[str]) -> Search:
    automaton = ahocorasick.Automaton()
    for number, key in enumerate(keys):
        automaton.add_word(key, (number, len(key)))
    automaton.make_automaton()

    def search(text: str) -> list[tuple[int, int, int]]:
        return [(last + 1 - n, last + 1, number) for last, (number, n) in automaton.iter(text)]

    return search


def _joined_search(keys: list[str], keywords: list[_Keyword]) -> FindTurns:
    """The fallback's find: the turns joined into one text, one pyahocorasick pass, each match
    checked and reported here."""
    search = _pyahocorasick(keys)

    def find(texts: Sequence[str], edges: Sequence[str], turns: Sequence[int]) -> Found:
        joined = join_texts([texts[i] for i in turns], turns, edges)
        return _find_joined(search, keywords, joined)

    return find


def _find_joined(search: Search, keywords: list[_Keyword], texts: JoinedTexts) -> Found:
    """Per owner, (label, term, start, end) of every whole-word occurrence in joined texts."""
    joined, starts, labels, edges = texts.joined, texts.starts, texts.labels, texts.edges
    bisect_right = bisect.bisect_right
    found: dict[Hashable, list[Hit]] = defaultdict(list)
    for at, finish, number in search(joined):
        chinese, kinds, owned = keywords[number]
        index = bisect_right(starts, at) - 1
        start = at - starts[index]
        end = start + finish - at
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


class KeywordIndex:
    """Keywords in one Aho-Corasick automaton; each maps to the terms it says, per owner.

    An owner is whoever asked for the keyword (a rule condition); matches come back grouped by
    owner, so that after one pass over a call each owner just reads its own list.
    """

    def __init__(self, engine: str = ENGINES[0]) -> None:
        if engine not in ENGINES:
            raise ValueError(f"no keyword search engine {engine!r} here; there is {ENGINES}")
        self.engine = engine
        self._terms: dict[str, set[tuple[Hashable, str]]] = {}
        self._find: FindTurns | None = None  # built on first use, after every add

    def add(self, keyword: str, term: str, owner: Hashable = None) -> None:
        """Registers ``keyword`` as a way of saying ``term``, for ``owner``."""
        # One space between words: a keyword holds no newline, so it never runs from one
        # joined turn into the next.
        key = " ".join(normalise(keyword).split())
        if key:
            self._terms.setdefault(key, set()).add((owner, term))
            self._find = None

    def find(self, text: str, edges: str | None = None) -> list[KeywordMatch]:
        """Whole-word occurrences in a normalised text whose word edges are ``edges``."""
        found = self.find_turns([text], [word_edges(text) if edges is None else edges], [0])
        hits = sorted((hit for owned in found.values() for hit in owned), key=_text_order)
        return [KeywordMatch(term, start, end) for _, term, start, end in hits]

    def find_turns(self, texts: Sequence[str], edges: Sequence[str], turns: Sequence[int]) -> Found:
        """Per owner, (turn, term, start, end) of every whole-word occurrence in the texts of
        ``turns`` (positions in ``texts``, whose word edges are ``edges``): in turn order, then
        by end, the longest first."""
        if not self._terms or not turns:
            return {}
        if self._find is None:
            keys = list(self._terms)
            keywords = [_keyword(key, self._terms[key]) for key in keys]
            build = _native if self.engine == "native" else _joined_search
            self._find = build(keys, keywords)
        return self._find(texts, edges, turns)
