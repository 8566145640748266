"""Small helpers shared by the tests."""

import json
import re
from pathlib import Path
from typing import Any

import jiwer

from services.text.normalise import simplified


def upload(
    client: Any, path: Path, metadata: dict[str, Any] | None = None, name: str | None = None
) -> Any:
    """POSTs a recording to /api/v1/calls; returns the response."""
    with path.open("rb") as f:
        return client.post(
            "/api/v1/calls",
            files={"audio": (name or path.name, f, "audio/wav")},
            data={"metadata": json.dumps(metadata or {})},
        )


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate after lower-casing and dropping punctuation."""
    norm = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
        ]
    )
    return float(jiwer.wer(norm(reference), norm(hypothesis)))


_NOT_HAN_OR_ALNUM = re.compile(r"[^\w]|_", re.UNICODE)


def cer_zh(reference: str, hypothesis: str) -> float:
    """Character error rate on Simplified characters, punctuation and spaces removed."""
    ref = _NOT_HAN_OR_ALNUM.sub("", simplified(reference))
    hyp = _NOT_HAN_OR_ALNUM.sub("", simplified(hypothesis))
    return float(jiwer.cer(ref, hyp))
