"""A call as the rule engine sees it: normalised turns, speech regions and metrics."""

from dataclasses import dataclass, field
from typing import Any

from services.scoring.text import is_chinese, normalise

ROLES = ("agent", "customer")


@dataclass
class TurnView:
    """One turn with its normalised text, as rules read it."""

    id: int
    index: int
    role: str
    start: float
    end: float
    text: str
    norm: str
    words: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Conversation:
    """Everything one call offers to its rules."""

    turns: list[TurnView]
    regions: dict[str, list[tuple[float, float]]]  # role → speech regions
    loudness: dict[str, float | None]
    duration_s: float
    roles_known: bool  # False for mono recordings: roles are `unknown`

    @property
    def chinese(self) -> bool:
        """Whether the call is mostly Chinese (speech rate counts characters, not words)."""
        text = "".join(t.text for t in self.turns)
        return is_chinese(text)


def from_turns(
    turns: list[dict[str, Any]],
    *,
    regions: dict[str, list[tuple[float, float]]] | None = None,
    loudness: dict[str, float | None] | None = None,
    duration_s: float | None = None,
) -> Conversation:
    """Builds a conversation; without recorded regions, each turn's span is its speech."""
    views = [
        TurnView(
            id=int(t.get("id", i)),
            index=i,
            role=str(t["role"]),
            start=float(t["start"]),
            end=float(t["end"]),
            text=str(t["text"]),
            norm=normalise(str(t["text"])),
            words=list(t.get("words") or []),
        )
        for i, t in enumerate(sorted(turns, key=lambda t: (t["start"], t["end"])))
    ]
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


def units(text: str) -> int:
    """Speech-rate units: Chinese characters and digits for Chinese text, else words."""
    if is_chinese(text):
        return sum(1 for ch in text if ch.isalnum())
    return len([w for w in text.split() if any(ch.isalnum() for ch in w)])
