"""Chinese text by its sound: each character replaced by a code for its toneless syllable.

ASR writes a Chinese word it misheard as another with the same or a near sound (核实 → 何时,
身份证号码 → 身份正好马), so keywords can also be compared by sound. ``sounds`` turns a
normalised text into a string of the same length in which every Chinese character is replaced
by one code character per toneless pinyin syllable (何 and 核 get the same code); every other
character stays as it is. Positions and jieba word edges of the original text therefore still
apply, and the keyword automaton (keywords.py) searches the sound text like any other.

Homographs (多音字) are read the way pypinyin reads them in context (its phrase dictionary):
ASR picked each character for the sound it heard, so the reading in context is the one that
was heard; taking every reading of a character instead would match far more words that were
never said (行 as both xing and hang).

Fuzzy pairs are the sounds southern accents (and ASR trained on them) do not tell apart:
zh/z, ch/c, sh/s, n/l, an/ang, en/eng, in/ing; a pair folds both sounds into one.
"""

import itertools
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from services.text.normalise import is_chinese

# The pairs a keyword condition may name, each folded from its second sound to its first
# (initials at the front of a syllable, finals at its end).
FUZZY_PAIRS: dict[str, tuple[str, str, bool]] = {
    "zh-z": ("z", "zh", True),
    "ch-c": ("c", "ch", True),
    "sh-s": ("s", "sh", True),
    "n-l": ("n", "l", True),
    "an-ang": ("an", "ang", False),
    "en-eng": ("en", "eng", False),
    "in-ing": ("in", "ing", False),
}

# Codes are CJK characters from 一 (U+4E00) on, so that a code still counts as Chinese where
# keywords.py checks a match's edges; a sound text holds nothing but codes where the original
# had Chinese, so a code never meets a real character it could be confused with.
_BASE = 0x4E00
_codes: dict[str, str] = {}
_next_code = itertools.count()  # next() is atomic: two threads never get the same code


def _code(syllable: str) -> str:
    code = _codes.get(syllable)
    if code is None:
        code = _codes.setdefault(syllable, chr(_BASE + next(_next_code)))
    return code


@lru_cache(maxsize=1)
def _pinyin() -> Any:
    import pypinyin

    return pypinyin


def fold(syllable: str, fuzzy: frozenset[str]) -> str:
    """A toneless syllable with the sounds of the ``fuzzy`` pairs folded into one."""
    for name in fuzzy:
        plain, variant, initial = FUZZY_PAIRS[name]
        if initial and syllable.startswith(variant):
            syllable = plain + syllable[len(variant) :]
        elif not initial and syllable.endswith(variant):
            syllable = syllable[: -len(variant)] + plain
    return syllable


def syllables(norm: str) -> list[str]:
    """The toneless pinyin of each character of a normalised text, read in context; a
    character without a reading (not Chinese) stands for itself."""
    pypinyin = _pinyin()
    # Each character not read as Chinese comes back as itself: one item per character.
    read = pypinyin.lazy_pinyin(norm, style=pypinyin.Style.NORMAL, errors=list, v_to_u=False)
    if len(read) != len(norm):  # never expected; without it positions would shift
        raise ValueError(f"pinyin of {norm!r} does not give one syllable per character")
    return [str(s) for s in read]


def sounds(norm: str, fuzzy: Iterable[str] = ()) -> str:
    """``norm`` with each Chinese character replaced by the code of its (folded) syllable."""
    if not is_chinese(norm):
        return norm
    folded = frozenset(fuzzy)
    return "".join(
        _code(fold(syllable, folded)) if is_chinese(ch) else ch
        for ch, syllable in zip(norm, syllables(norm), strict=True)
    )


def spoken(norm: str) -> str:
    """The toneless pinyin of a normalised text, syllables separated by spaces (for evidence)."""
    return " ".join(syllables(norm))
