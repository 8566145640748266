"""Turns searched together: many turns are searched at once, joined by newlines, by a regular
expression relaxed so that what it finds in the joined text points at the few turns worth
searching one by one with the real pattern.
"""

import bisect
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.scoring.rules.patterns import Budget
from services.text.normalise import word_edges

# Between and around joined texts: a newline, which normalised turn text never holds.
_SEPARATOR = "\n"


@dataclass(slots=True)
class JoinedTexts:
    """Texts joined by separators, so that one search goes over them all."""

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
    r"""``pattern`` with a leading counted character written once before its count
    (``\d{17}x`` → ``\d\d{16}x``): the same matches, found faster.

    Python's regex engine scans quickly for a pattern's first character, but not for a count:
    ``\d{17}`` is tried at every position of a long text, ``\d\d{16}`` only at digits.
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
    exact: Any, quick: Any, texts: JoinedTexts, budget: Budget
) -> list[tuple[int, Any]]:
    """(label, match) of each text ``exact`` matches, where ``quick`` is its relaxed pattern
    (both compiled by ``patterns.compile_pattern``), searching within ``budget``.

    Only texts in which a ``quick`` match starts are searched: a text ``exact`` matches holds a
    ``quick`` match, and the leftmost ``quick`` match from any point starts at or before it.
    """
    found = []
    at = texts.starts[0]
    while (candidate := budget.search(quick, texts.joined, at)) is not None:
        index = bisect.bisect_right(texts.starts, candidate.start()) - 1
        if index == len(texts):  # an empty match at the very end
            break
        start, stop = texts.starts[index], texts.starts[index + 1] - 1
        # The text alone, as rules read it.
        match = budget.search(exact, texts.joined[start:stop])
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
