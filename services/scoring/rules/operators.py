"""The rule operators' parameters: typed, so that a pack is checked when it loads and an API
can list them (their evaluators are in evaluators.py, the list of operators in registry.py).

Text operators read turns in a scope (role, window, anchor); metric operators read the
conversation metrics. Every operator answers true, false or not measurable — never guesses.
"""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.scoring.rules import patterns
from services.scoring.rules.conversation import Conversation
from services.scoring.rules.outcome import Evidence

Role = Literal["agent", "customer", "any"]
# YAML reads 12315 as a number; a keyword is text whatever it looks like.
Word = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
]
Term = Word | Annotated[list[Word], Field(min_length=1, max_length=50)]


class Params(BaseModel):
    """Base of every operator's parameters: unknown fields are errors, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Window(Params):
    """Part of the call to look in: first/last N seconds, or first/last N turns of the role."""

    first_s: float | None = Field(None, gt=0)
    last_s: float | None = Field(None, gt=0)
    first_turns: int | None = Field(None, ge=1)
    last_turns: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> "Window":
        if sum(v is not None for v in self.model_dump().values()) != 1:
            raise ValueError("a window is exactly one of first_s, last_s, first_turns, last_turns")
        return self


class Anchor(Params):
    """Look only near another condition's hits (its ``id`` in this rule, or ``rule:<id>``)."""

    to: str = Field(min_length=1, max_length=64)
    position: Literal["before", "after", "around"] = "after"
    within_turns: int = Field(3, ge=1, le=50)


class Scoped(Params):
    """Where a text operator looks."""

    role: Role = "any"
    window: Window | None = None
    anchor: Anchor | None = None


FuzzyPair = Literal["zh-z", "ch-c", "sh-s", "n-l", "an-ang", "en-eng", "in-ing"]


class Phonetic(Params):
    """Match by sound too: toneless pinyin, with the fuzzy pairs of southern accents named."""

    fuzzy: list[FuzzyPair] = Field(default_factory=list)


class KeywordParams(Scoped):
    """Keywords said in scope. A term may be a list of synonyms; the pack may add more.

    ``phonetic: true`` (or ``{fuzzy: [zh-z, n-l]}``) also matches words that sound the same
    (in toneless pinyin), as ASR writes them when it mishears: 何时 for 核实."""

    any: list[Term] | None = None
    all: list[Term] | None = None
    none: list[Term] | None = None
    at_least: int | None = Field(None, ge=1)
    of: list[Term] | None = None
    phonetic: bool | Phonetic = False

    @property
    def sound(self) -> tuple[str, ...] | None:
        """The fuzzy pairs of a phonetic condition (none named: exact sounds); None if off."""
        if isinstance(self.phonetic, Phonetic):
            return tuple(sorted(set(self.phonetic.fuzzy)))
        return () if self.phonetic else None

    @model_validator(mode="after")
    def _one_mode(self) -> "KeywordParams":
        modes = [m for m in ("any", "all", "none") if getattr(self, m)]
        counted = self.at_least is not None or self.of is not None
        if len(modes) + counted != 1:
            raise ValueError("use exactly one of any, all, none, or at_least with of")
        if counted and not (self.at_least and self.of and self.at_least <= len(self.of)):
            raise ValueError("at_least N needs a list `of` with at least N terms")
        return self

    def terms(self) -> list[list[str]]:
        """Each term as [canonical, synonym, ...]."""
        chosen = self.any or self.all or self.none or self.of or []
        return [[t] if isinstance(t, str) else list(t) for t in chosen]


class RegexParams(Scoped):
    """A regular expression (Python syntax, case-insensitive) on normalised turn text."""

    pattern: str = Field(min_length=1, max_length=500)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            patterns.compile_pattern(value)
        except patterns.error as exc:
            raise ValueError(f"bad regular expression: {exc}") from None
        return value


class SimilarParams(Scoped):
    """Turns that say the same as one of the examples (TF-IDF character n-grams, cosine)."""

    examples: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        min_length=1, max_length=100
    )
    threshold: float = Field(0.6, gt=0, le=1)


class RepetitionParams(Params):
    """The same request said again: turns of ``role`` this similar, at least ``min_times``."""

    role: Role = "customer"
    min_times: int = Field(2, ge=2)
    threshold: float = Field(0.6, gt=0, le=1)
    min_chars: int = Field(4, ge=1, description="Shorter turns (好的, yes) are not requests.")


class SilenceParams(Params):
    """A gap with nobody speaking of at least ``min_s``, optionally on ``role``'s turn."""

    min_s: float = Field(gt=0)
    role: Role = "any"


class OvertalkParams(Params):
    """``interrupter`` speaking over the other party for ``min_s`` saying ``min_units``."""

    min_s: float = Field(2.0, gt=0)
    min_units: int = Field(4, ge=0, description="Characters (Chinese) or words said over.")
    interrupter: Role = "agent"


class SpeechRateParams(Params):
    """Characters (Chinese) or words per minute above or below a limit."""

    role: Role = "agent"
    above: float | None = Field(None, gt=0)
    below: float | None = Field(None, gt=0)
    per: Literal["turn", "call"] = "turn"

    @model_validator(mode="after")
    def _limit(self) -> "SpeechRateParams":
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above, below")
        return self


class ThresholdParams(Params):
    """A number above or below a limit."""

    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _limit(self) -> "ThresholdParams":
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above, below")
        return self


class RoleThresholdParams(ThresholdParams):
    """A per-role number above or below a limit."""

    role: Literal["agent", "customer"] = "agent"


class SentimentParams(Params):
    """``role`` sounding angry or negative, by the text classifier in models/."""

    role: Literal["agent", "customer"] = "customer"
    label: Literal["angry", "negative"] = "angry"
    threshold: float = Field(0.7, gt=0, le=1)


def turn_evidence(conv: Conversation, turn: int, text: str | None = None) -> Evidence:
    """Evidence pointing at one turn (its position), with what was said there."""
    return Evidence(
        conv.starts[turn],
        conv.ends[turn],
        conv.roles[turn],
        (conv.ids[turn],),
        text if text is not None else conv.texts[turn],
    )
