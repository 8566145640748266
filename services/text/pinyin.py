"""Chinese text by its sound: each character replaced by a code for its toneless syllable.

ASR writes a Chinese word it misheard as another with the same or a near sound (核实 → 何时,
身份证号码 → 身份正好马), so keywords can also be compared by sound. ``sounds`` turns a
normalised text into a string of the same length in which every Chinese character is replaced
by one code character per toneless pinyin syllable (何 and 核 get the same code); every other
character stays as it is. Positions and jieba word edges of the original text therefore still
apply, and the keyword automaton (keywords.py) searches the sound text like any other.

Homographs (多音字) are read by their first reading in pypinyin's character dictionary (the
one pypinyin gives a character alone), the same on keywords and transcripts, so a text is
turned into sounds by one ``str.translate``. pypinyin's reading in context (its phrase
dictionary) costs about half a millisecond a turn: 35 ms a call at scoring, where the whole
scoring of a call takes 0.6 ms. Every reading of a character would match many words that were
never said (行 as both xing and hang). A keyword said as written is matched by text anyway.

Fuzzy pairs are the sounds southern accents (and ASR trained on them) do not tell apart:
zh/z, ch/c, sh/s, n/l, an/ang, en/eng, in/ing; a pair folds both sounds into one.
"""

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

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
_CJK_RANGE = range(0x3400, 0xA000)  # what normalise.is_chinese counts as Chinese


def _toneless(reading: str) -> str:
    """A pinyin reading without its tone mark (ü as v: lü and lu stay apart)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _readings() -> dict[int, str]:
    """Each Chinese character's toneless reading; a character without one stands for itself."""
    from pypinyin.pinyin_dict import pinyin_dict

    return {
        point: _toneless(pinyin_dict[point].split(",")[0]) if point in pinyin_dict else chr(point)
        for point in _CJK_RANGE
    }


@lru_cache(maxsize=16)
def _table(fuzzy: frozenset[str]) -> dict[int, str]:
    """The ``str.translate`` table of the sounds with ``fuzzy`` pairs folded."""
    codes: dict[str, str] = {}
    return {
        point: codes.setdefault(fold(syllable, fuzzy), chr(_BASE + len(codes)))
        for point, syllable in _readings().items()
    }


def fold(syllable: str, fuzzy: frozenset[str]) -> str:
    """A toneless syllable with the sounds of the ``fuzzy`` pairs folded into one."""
    for name in sorted(fuzzy):
        plain, variant, initial = FUZZY_PAIRS[name]
        if initial and syllable.startswith(variant):
            syllable = plain + syllable[len(variant) :]
        elif not initial and syllable.endswith(variant):
            syllable = syllable[: -len(variant)] + plain
    return syllable


def syllables(norm: str) -> list[str]:
    """The toneless pinyin of each character of a normalised text; a character without a
    reading (not Chinese) stands for itself."""
    readings = _readings()
    return [readings.get(ord(ch), ch) for ch in norm]


def sounds(norm: str, fuzzy: Iterable[str] = ()) -> str:
    """``norm`` with each Chinese character replaced by the code of its (folded) syllable."""
    return norm.translate(_table(frozenset(fuzzy)))
