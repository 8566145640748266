"""Every rule operator, listed here and nowhere else: a pack may use exactly these."""

from typing import Any

from services.scoring.rules import evaluators
from services.scoring.rules import operators as ops
from services.scoring.rules.engine import Operator, Operators

_ALL: list[Operator[Any]] = [
    Operator("keyword", "text", ops.KeywordParams, evaluators.keyword),
    Operator("regex", "text", ops.RegexParams, evaluators.regex),
    Operator("not_regex", "text", ops.RegexParams, evaluators.not_regex),
    Operator("similar", "text", ops.SimilarParams, evaluators.similar),
    Operator("repetition", "text", ops.RepetitionParams, evaluators.repetition),
    Operator("silence", "metric", ops.SilenceParams, evaluators.silence),
    Operator("overtalk", "metric", ops.OvertalkParams, evaluators.overtalk),
    Operator("speech_rate", "metric", ops.SpeechRateParams, evaluators.speech_rate),
    Operator("response_latency", "metric", ops.ThresholdParams, evaluators.response_latency),
    Operator("duration", "metric", ops.ThresholdParams, evaluators.duration),
    Operator("talk_ratio", "metric", ops.RoleThresholdParams, evaluators.talk_ratio),
    Operator("loudness", "metric", ops.RoleThresholdParams, evaluators.loudness),
    Operator("sentiment", "metric", ops.SentimentParams, evaluators.sentiment),
]
OPERATORS: Operators = {op.name: op for op in _ALL}


def describe() -> list[dict[str, Any]]:
    """Every operator with its parameters' JSON schema, for ``GET /api/v1/rules/operators``."""
    return [
        {
            "name": op.name,
            "kind": op.kind,
            "description": op.description,
            "params": op.params.model_json_schema(),
        }
        for op in OPERATORS.values()
    ]
