"""A call as the rule engine sees it: its turns as columns, speech regions and loudness.

Turns are held column by column (one list per field, a turn is a position in time order) rather
than as one object per turn: a call has dozens of turns and is scored in well under a
millisecond, so building an object per turn would cost more than most rules do.
"""

from dataclasses import astuple, dataclass, field
from functools import cached_property
from itertools import compress, repeat
from operator import eq, itemgetter, lt
from typing import Any

from services.scoring.rules.matching import JoinedTexts, join_texts
from services.text import pinyin
from services.text.analysis import analyse
from services.text.normalise import is_chinese

ROLES = ("agent", "customer")


@dataclass
class Conversation:
    """Everything one call offers to its rules; turn ``i`` is position ``i`` of every column."""

    ids: list[int]
    roles: list[str]
    starts: list[float]
    ends: list[float]
    texts: list[str]
    norms: list[str]
    word_edges: list[str]  # where words start or end in each ``norms`` entry
    units: list[int]  # characters (Chinese) or words, for the speech rate
    words: list[list[dict[str, Any]]]  # word timings; empty when not known
    # {"angry": p, "negative": p}; None until the classifier has looked at the turn
    sentiment: list[dict[str, float] | None]
    regions: dict[str, list[tuple[float, float]]]  # role → speech regions, sorted
    loudness: dict[str, float | None]
    duration_s: float
    roles_known: bool  # False for mono recordings: roles are `unknown`
    # False where both parties are one signal (a mono recording split into two voices): who
    # spoke over whom cannot be heard there.
    overlap_known: bool = True
    _of_role: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _norms_of_role: dict[str, JoinedTexts] = field(default_factory=dict, repr=False)
    _sounds: dict[tuple[str, ...], list[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def chinese(self) -> bool:
        """Whether the call is Chinese (speech rate counts characters, not words)."""
        return any(map(is_chinese, self.norms))

    @cached_property
    def speakers(self) -> list[str]:
        """The roles that speak, in order of first speech."""
        return list(dict.fromkeys(self.roles))

    @cached_property
    def position_of(self) -> dict[int, int]:
        """Turn id → its position."""
        return dict(zip(self.ids, range(len(self.ids)), strict=True))

    def of_role(self, role: str) -> list[int]:
        """Positions of ``role``'s turns (every turn for ``any``), in time order."""
        if role not in self._of_role:  # from_turns has done this for the roles that speak
            everyone = range(len(self.roles))
            self._of_role[role] = list(everyone) if role == "any" else _said_by(self.roles, role)
        return self._of_role[role]

    def sounds(self, fuzzy: tuple[str, ...], turns: list[int]) -> list[str]:
        """Turn texts by their sound (text.pinyin, ``fuzzy`` pairs folded), worked out for
        ``turns`` (positions) where not yet done; other turns' entries may be empty."""
        done = self._sounds.setdefault(fuzzy, [""] * len(self.norms))
        for i in turns:
            if not done[i] and self.norms[i]:
                done[i] = pinyin.sounds(self.norms[i], fuzzy)
        return done

    def norms_of_role(self, role: str) -> JoinedTexts:
        """``role``'s normalised turn texts joined for keyword search, labelled by position."""
        if role not in self._norms_of_role:
            turns = self.of_role(role)
            norms = list(map(self.norms.__getitem__, turns))
            self._norms_of_role[role] = join_texts(norms, turns, self.word_edges)
        return self._norms_of_role[role]


_SAID = ("role", "start", "end", "text")  # what every turn has
_ANALYSED = ("norm", "word_edges", "units")  # what analysis at storage time adds


def _columns(turns: list[dict[str, Any]], names: tuple[str, ...]) -> list[list[Any]]:
    """Some fields of every turn, a column each (KeyError if a turn lacks one)."""
    if not turns:
        return [[] for _ in names]
    return [list(column) for column in zip(*map(itemgetter(*names), turns), strict=True)]


def _stored_columns(turns: list[dict[str, Any]]) -> list[list[Any]]:
    """What was said and its stored analysis (None where there is none), a column each."""
    try:
        return _columns(turns, _SAID + _ANALYSED)
    except KeyError:  # turns stored without analysis
        return _columns(turns, _SAID) + [_field(turns, name) for name in _ANALYSED]


def _in_order(starts: list[Any], ends: list[Any]) -> bool:
    # Stored transcripts come in time order already; checking that is cheaper than sorting.
    if all(map(lt, starts, starts[1:])):  # the usual case: each turn starts after the last
        return True
    keys = list(zip(starts, ends, strict=True))
    return keys == sorted(keys)


def _field(turns: list[dict[str, Any]], name: str) -> list[Any]:
    """One optional field of every turn (None where it has none)."""
    return list(map(dict.get, turns, repeat(name)))


def _analyse_missing(
    texts: list[str], norms: list[Any], word_edges: list[Any], units: list[Any]
) -> None:
    """Analyses here the turns stored without analysis (test transcripts, older rows)."""
    for i, row in enumerate(zip(norms, word_edges, units, strict=True)):
        if None in row:
            norms[i], word_edges[i], units[i] = astuple(analyse(texts[i]))


def _said_by(roles: list[str], role: str) -> list[int]:
    """The positions of ``role``'s turns."""
    return list(compress(range(len(roles)), map(eq, roles, repeat(role))))


def _by_role(roles: list[str]) -> dict[str, list[int]]:
    """Each role's turn positions, roles in order of first speech."""
    return {role: _said_by(roles, role) for role in dict.fromkeys(roles)}


def from_turns(
    turns: list[dict[str, Any]],
    *,
    regions: dict[str, list[tuple[float, float]]] | None = None,
    loudness: dict[str, float | None] | None = None,
    duration_s: float | None = None,
    overlap_known: bool = True,
) -> Conversation:
    """Builds a conversation; without recorded regions, each turn's span is its speech.

    Turns carry their stored analysis (``norm``, ``word_edges``, ``units``, ``sentiment``); text
    without it (test transcripts, older rows) is analysed here.
    """
    columns = _stored_columns(turns)
    if not _in_order(columns[1], columns[2]):
        turns = sorted(turns, key=lambda t: (t["start"], t["end"]))
        columns = _stored_columns(turns)
    # Fields are used as they are: stored rows and validated test turns have their types.
    roles, starts, ends, texts, norms, word_edges, units = columns
    if any(None in column for column in (norms, word_edges, units)):
        _analyse_missing(texts, norms, word_edges, units)
    by_role = _by_role(roles)
    if regions is None:  # in time order already, as the turns are
        spans = list(zip(starts, ends, strict=True))
        regions = {role: list(map(spans.__getitem__, at)) for role, at in by_role.items()}
    else:
        regions = {role: sorted(spans) for role, spans in regions.items()}
    return Conversation(
        ids=list(map(dict.get, turns, repeat("id"), range(len(turns)))),
        roles=roles,
        starts=starts,
        ends=ends,
        texts=texts,
        norms=norms,
        word_edges=word_edges,
        units=units,
        words=[words or [] for words in _field(turns, "words")],
        sentiment=_field(turns, "sentiment"),
        regions=regions,
        loudness=loudness or {},
        duration_s=duration_s if duration_s is not None else max(ends, default=0.0),
        roles_known=any(r in ROLES for r in regions) and "unknown" not in regions,
        overlap_known=overlap_known,
        _of_role=by_role,
    )
