"""Rule packs and scorecards as written in ``rules/*.yaml``."""

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from services.scoring.rules.operators import Phonetic
from services.types import Strict

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
PackId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,63}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# A name in one language, or per language: {zh_CN: 未使用标准开场白, en: No standard greeting}.
Names = (
    Name | dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}([_-][A-Za-z]{2,4})?$")], Name]
)
Severity = Literal["minor", "major", "critical"]

# The fixed vocabulary reports group by, across packs.
Category = Literal[
    "greeting", "closing", "identity_verification", "hold_etiquette", "forbidden_phrase",
    "courtesy", "empathy", "escalation_risk", "compliance_disclosure", "silence", "overtalk",
    "speech_rate", "responsiveness", "pii_exposure", "sentiment", "resolution", "other",
]  # fmt: skip


class TestTurn(Strict):
    """One turn of a test transcript."""

    role: Literal["agent", "customer", "unknown"]
    text: str = Field(max_length=2000)
    start: float = Field(ge=0)
    end: float = Field(ge=0)


class TestCall(Strict):
    """A test transcript given turn by turn (for timing rules)."""

    turns: list[TestTurn] = Field(min_length=1, max_length=200)
    duration_s: float | None = None


TestCase = Annotated[str, StringConstraints(min_length=1, max_length=5000)] | TestCall


class RuleTests(Strict):
    """Transcripts that must and must not make the rule hit."""

    hit: list[TestCase] = Field(default_factory=list, max_length=100)
    miss: list[TestCase] = Field(default_factory=list, max_length=100)


class RuleSpec(Strict):
    """One rule: a condition over the call; when it holds, the rule hits."""

    id: Identifier
    name: Names
    category: Category
    severity: Severity = "minor"
    flag: bool = Field(False, description="A hit flags the call for human review.")
    about: Literal["agent", "customer", "any"] = Field(
        "any",
        description="Whose conduct the rule judges: the other party's words are never its "
        "evidence (they may be what made the agent's words expected).",
    )
    description: str = Field("", max_length=2000)
    when: dict[str, Any]
    tests: RuleTests = Field(default_factory=RuleTests)


class Below(Strict):
    """A score under ``below`` points is a violation."""

    below: float = Field(gt=0, le=1000)


# Which scores of an item the discipline ladder counts as a violation: ``fail`` (no points
# left), ``any_loss`` (any point lost), or ``{below: N}``.
ViolationWhen = Literal["fail", "any_loss"] | Below


class ItemSpec(Strict):
    """A scorecard item: machine-scored from a rule, or scored by a person."""

    id: Identifier
    name: Name
    points: float = Field(gt=0, le=1000)
    rule: Identifier | None = None
    manual: bool = False
    deduct_per_hit: float | None = Field(None, gt=0, description="Else any hit loses all points.")
    auto_fail: bool = Field(False, description="Red line (红线): a hit zeroes the whole score.")
    severity: Severity = "minor"
    category: Category | None = Field(
        None, description="What the ladder counts it as; default: its rule's category, else other."
    )
    violation_when: ViolationWhen | None = Field(
        None, description="Default: fail for a manual item, any_loss for a rule's."
    )


class SectionSpec(Strict):
    """A scorecard section."""

    id: Identifier
    name: Name
    weight: float | None = Field(None, gt=0, description="Share of the total; else by points.")
    items: list[ItemSpec] = Field(min_length=1, max_length=100)


class ScorecardSpec(Strict):
    """An evaluation form."""

    name: Name
    flag_below: float | None = Field(
        None, ge=0, le=100, description="Flag calls scoring under this %."
    )
    sections: list[SectionSpec] = Field(min_length=1, max_length=50)


class PackSpec(Strict):
    """A rule pack file."""

    pack: PackId
    name: Name
    language: str = Field(min_length=2, max_length=8)
    description: str = Field("", max_length=5000)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    # Whether keyword conditions match by sound too when they do not say (`phonetic:` on a
    # condition wins): for a center whose ASR mishears much, one switch for the whole pack.
    phonetic: bool | Phonetic = False
    rules: list[RuleSpec] = Field(min_length=1, max_length=500)
    scorecard: ScorecardSpec | None = None
