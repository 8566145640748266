"""A scored call as the rows it is stored as: its metrics, each rule's status, the hits' evidence
and the score. Shared by the scoring of one call and bulk re-scoring, so both store the same."""

from dataclasses import dataclass
from typing import Any

from services.i18n import render
from services.scoring.rules import metrics as metrics_module
from services.scoring.rules import scorecard
from services.scoring.rules.conversation import Conversation
from services.scoring.rules.pack import CompiledPack


@dataclass
class ScoredCall:
    """What scoring one call under one pack version stores, as column values."""

    metrics: dict[str, Any]
    statuses: list[dict[str, Any]]  # rule_results
    hits: list[dict[str, Any]]
    score: dict[str, Any]
    flagged: bool


def score(*, call_id: int, pack: CompiledPack, conv: Conversation) -> ScoredCall:
    """Measures the conversation, runs the pack's rules and its scorecard (no database)."""
    metrics = metrics_module.compute(conv)
    results = pack.evaluate(conv, metrics)
    result = scorecard.score(pack, results)
    statuses: list[dict[str, Any]] = []
    hits: list[dict[str, Any]] = []
    for r in results:
        key: dict[str, Any] = {
            "call_id": call_id,
            "pack": pack.id,
            "pack_version": pack.version,
            "rule_id": r.rule.id,
            "category": r.rule.category,
            "severity": r.rule.severity,
        }
        statuses.append({**key, "status": r.status, "reason": r.outcome.reason})
        if r.status != "hit":
            continue
        names = pack.names(r.rule)
        hits.extend(
            {
                **key,
                "role": e.role,
                "start": round(e.start, 3),
                "end": round(e.end, 3),
                "turn_ids": list(e.turn_ids),
                "text": e.text or (render(e.message, "en") if e.message else ""),
                "message": e.message,
                "rule_name": names,
            }
            for e in r.outcome.evidence
        )
    return ScoredCall(
        metrics=metrics.as_dict(),
        statuses=statuses,
        hits=hits,
        score={
            "call_id": call_id,
            "pack": pack.id,
            "pack_version": pack.version,
            "total": result.total,
            "maximum": result.maximum,
            "percent": result.percent,
            "auto_failed": result.auto_failed,
            "flagged": result.flagged,
            "reasons": result.reasons,
            "sections": result.sections,
            "items": [i.as_dict() for i in result.items],
        },
        flagged=result.flagged,
    )
