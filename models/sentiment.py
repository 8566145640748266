"""Customer sentiment/anger classifier: a scikit-learn text model, trained by a script.

Until ``models/sentiment/model.joblib`` exists (see its model card, models/sentiment/README.md),
``load`` returns None and the ``sentiment`` rule operator reports ``not_measurable`` instead of
guessing.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

MODEL_PATH = Path(__file__).resolve().parent / "sentiment" / "model.joblib"


class Classifier(Protocol):
    """What the rule engine needs from a sentiment model."""

    def score(self, texts: list[str], label: str) -> list[float]:
        """Probability of ``label`` for each text."""
        ...


@lru_cache(maxsize=1)
def load() -> Any:
    """The trained classifier, or None when none has been trained."""
    if not MODEL_PATH.exists():
        return None
    import joblib

    return joblib.load(MODEL_PATH)
