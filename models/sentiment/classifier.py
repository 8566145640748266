"""Customer sentiment/anger: a scikit-learn text classifier over our own labelled sentences.

The training data (``data.tsv`` beside this file: label, language, text) was written for
zhijian and ships with it. The model is a pure function of that file (TF-IDF character
n-grams and a logistic regression), so it is rebuilt in a fraction of a second on first use
instead of shipping a pickle tied to one scikit-learn version. ``zhijian models
evaluate-sentiment`` measures it by cross-validation; the figures are in the model card
(README.md beside this file). Without the data file, ``load`` returns None and the
``sentiment`` rule operator reports ``not_measurable``.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data.tsv"


def read_data(path: Path = DATA) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, languages) from the training file."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["text"] for r in rows], [r["label"] for r in rows], [r["lang"] for r in rows]


def pipeline(preprocessor: Callable[[str], str]) -> Any:
    """The untrained model; ``preprocessor`` normalises a text the way transcripts are
    (services/text/normalise.py), passed in so that models/ imports nothing of services/."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(
            preprocessor=preprocessor, analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True
        ),
        LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000),
    )


@dataclass
class SentimentModel:
    """A trained classifier that answers how likely each text is ``angry`` or ``negative``."""

    model: Any

    def score(self, texts: list[str], label: str) -> list[float]:
        """P(angry) for ``angry``; P(angry or negative) for ``negative``."""
        if not texts:
            return []
        classes = list(self.model.classes_)
        probabilities = self.model.predict_proba(texts)
        wanted = ["angry"] if label == "angry" else ["angry", "negative"]
        return [float(sum(row[classes.index(w)] for w in wanted)) for row in probabilities]


@lru_cache(maxsize=1)
def load(preprocessor: Callable[[str], str]) -> SentimentModel | None:
    """The classifier trained on the shipped data, or None when there is no data."""
    if not DATA.exists():
        return None
    texts, labels, _ = read_data()
    return SentimentModel(pipeline(preprocessor).fit(texts, labels))


def evaluate(preprocessor: Callable[[str], str], folds: int = 5) -> dict[str, float]:
    """Stratified cross-validated accuracy and macro F1, overall and per language."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, labels, languages = read_data()
    predicted = cross_val_predict(
        pipeline(preprocessor),
        texts,
        labels,
        cv=StratifiedKFold(folds, shuffle=True, random_state=7),
    )
    truth, guess, lang = np.array(labels), np.array(predicted), np.array(languages)
    report = {
        "samples": float(len(texts)),
        "accuracy": accuracy_score(truth, guess),
        "macro_f1": f1_score(truth, guess, average="macro"),
        "angry_f1": f1_score(truth == "angry", guess == "angry"),
    }
    for code in sorted(set(languages)):
        mask = lang == code
        report[f"accuracy_{code}"] = accuracy_score(truth[mask], guess[mask])
    return {k: round(float(v), 3) for k, v in report.items()}
