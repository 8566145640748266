"""Where text conditions look: the turns of a role inside a window of the call, and a pack's
keyword conditions grouped by that scope, each group searched once per call."""

from functools import partial
from typing import Protocol

from services.scoring.rules.conversation import Conversation
from services.scoring.rules.keywords import Hit, KeywordIndex, merged
from services.scoring.rules.operators import KeywordParams, Params, Window
from services.text.normalise import normalise
from services.text.pinyin import sounds

ScopeKey = tuple[str, str | None]  # role and window: the part of a scope known before a call
# A scope and the fuzzy pairs its keywords are matched by sound with (None: by text alone).
GroupKey = tuple[str, str | None, tuple[str, ...] | None]


class KeywordCondition(Protocol):
    """What the keyword groups read of a compiled keyword condition (``engine.Node``)."""

    @property
    def key(self) -> str:
        """The condition's key, unique within the pack."""

    @property
    def params(self) -> Params | None:
        """Its parameters."""

    @property
    def keyword_group(self) -> GroupKey:
        """Its scope and the fuzzy pairs its keywords are matched by sound with."""


class KeywordScopes:
    """A pack's keyword conditions, grouped by the turns they look in (role and window).

    Each group is one automaton: a call's turns in that scope are scanned once for every
    condition of the group, and each condition then reads its own matches. Turns no condition
    looks in (the customer's, for the agent's greeting) are never scanned for its keywords.
    """

    def __init__(self) -> None:
        self.windows: dict[GroupKey, Window | None] = {}
        self.indexes: dict[GroupKey, KeywordIndex] = {}
        self.by_sound: dict[GroupKey, KeywordIndex] = {}  # phonetic groups: keywords' sounds
        self.words: dict[tuple[str, str], list[str]] = {}  # (condition, term) → its words

    def register(self, node: KeywordCondition, synonyms: dict[str, list[str]]) -> None:
        """Adds the keywords of a keyword condition (and their synonyms) to its scope's group."""
        assert isinstance(node.params, KeywordParams)
        key = node.keyword_group
        fuzzy = key[2]
        self.windows[key] = node.params.window
        index = self.indexes.setdefault(key, KeywordIndex())
        by_sound = None
        if fuzzy is not None:
            by_sound = self.by_sound.setdefault(key, KeywordIndex(partial(sounds, fuzzy=fuzzy)))
        for group in node.params.terms():
            canonical = group[0]
            words = self.words[node.key, canonical] = [*group, *synonyms.get(canonical, [])]
            for word in words:
                index.add(word, canonical, owner=node.key)
                if by_sound is not None:
                    by_sound.add(word, canonical, owner=node.key)

    def find(self, conv: Conversation, key: GroupKey, turns: list[int]) -> dict[str, list[Hit]]:
        """Per condition of the group, (turn position, term, start, end) of each match in the
        group's ``turns`` (its role's, in its window): by text, and for a phonetic group also
        by sound."""
        found = self.indexes[key].find_turns(conv.norms, conv.word_edges, turns)
        if key[2] is None:
            return found
        heard = self.by_sound[key].find_turns(conv.sounds(key[2], turns), conv.word_edges, turns)
        return merged(found, heard)

    def sounded_like(self, node: KeywordCondition, term: str, heard: str) -> str | None:
        """The keyword of ``term`` that ``heard`` was matched by sound to; None where it was
        said as written."""
        words = self.words[node.key, term]
        if any(" ".join(normalise(word).split()) == heard for word in words):
            return None
        fuzzy = node.keyword_group[2] or ()
        heard_as = sounds(heard, fuzzy)
        return next((w for w in words if sounds(normalise(w), fuzzy) == heard_as), term)

    def find_all(self, conv: Conversation) -> dict[str, list[Hit]]:
        """Every keyword condition's matches in a call: what scoring it may need at most."""
        found = {}
        for key, window in self.windows.items():
            found.update(self.find(conv, key, in_window(conv, conv.of_role(key[0]), window)))
        return found


def in_window(conv: Conversation, turns: list[int], window: Window | None) -> list[int]:
    """The turns (positions) inside a window of the call."""
    if window is None:
        return turns
    if window.first_s is not None:  # turns are in time order: the window is the first few
        for count, i in enumerate(turns):
            if conv.starts[i] >= window.first_s:
                return turns[:count]
        return turns
    if window.last_s is not None:
        since = conv.duration_s - window.last_s
        return [i for i in turns if conv.ends[i] > since]
    if window.first_turns is not None:
        return turns[: window.first_turns]
    assert window.last_turns is not None
    return turns[-window.last_turns :]
