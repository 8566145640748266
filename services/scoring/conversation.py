"""A call as the rule engine sees it: analysed turns, speech regions and loudness."""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from services.scoring.analysis import analyse
from services.scoring.text import is_chinese

ROLES = ("agent", "customer")


@dataclass(slots=True)
class TurnView:
    """One turn with its analysed text, as rules read it."""

    id: int
    index: int
    role: str
    start: float
    end: float
    text: str
    norm: str
    cuts: tuple[int, ...]  # word boundaries in ``norm``
    units: int
    words: list[dict[str, Any]] = field(default_factory=list)
    # {"angry": p, "negative": p}; None until the classifier has looked at the turn
    sentiment: dict[str, float] | None = None


@dataclass
class Conversation:
    """Everything one call offers to its rules."""

    turns: list[TurnView]
    regions: dict[str, list[tuple[float, float]]]  # role → speech regions, sorted
    loudness: dict[str, float | None]
    duration_s: float
    roles_known: bool  # False for mono recordings: roles are `unknown`

    @cached_property
    def chinese(self) -> bool:
        """Whether the call is Chinese (speech rate counts characters, not words)."""
        return any(is_chinese(t.norm) for t in self.turns)


def _view(index: int, t: dict[str, Any]) -> TurnView:
    text = str(t["text"])
    if t.get("norm") is None or t.get("cuts") is None or t.get("units") is None:
        analysed = analyse(text)
        norm, cuts, units = analysed.norm, analysed.cuts, analysed.units
    else:
        norm, cuts, units = t["norm"], t["cuts"], t["units"]
    return TurnView(
        id=int(t.get("id", index)),
        index=index,
        role=str(t["role"]),
        start=float(t["start"]),
        end=float(t["end"]),
        text=text,
        norm=norm,
        cuts=tuple(cuts),
        units=int(units),
        words=list(t.get("words") or []),
        sentiment=t.get("sentiment"),
    )


def from_turns(
    turns: list[dict[str, Any]],
    *,
    regions: dict[str, list[tuple[float, float]]] | None = None,
    loudness: dict[str, float | None] | None = None,
    duration_s: float | None = None,
) -> Conversation:
    """Builds a conversation; without recorded regions, each turn's span is its speech.

    Turns carry their stored analysis (``norm``, ``cuts``, ``units``, ``sentiment``); text
    without it (test transcripts, older rows) is analysed here.
    """
    ordered = sorted(turns, key=lambda t: (t["start"], t["end"]))
    views = [_view(i, t) for i, t in enumerate(ordered)]
    if regions is None:
        regions = {}
        for v in views:
            regions.setdefault(v.role, []).append((v.start, v.end))
    roles_known = any(r in ROLES for r in regions) and "unknown" not in regions
    end = max((v.end for v in views), default=0.0)
    return Conversation(
        turns=views,
        regions={role: sorted(spans) for role, spans in regions.items()},
        loudness=loudness or {},
        duration_s=duration_s if duration_s is not None else end,
        roles_known=roles_known,
    )
