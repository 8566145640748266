"""Who talks like the agent: a text classifier of service language vs customer language.

Trained on ``roles.tsv`` beside this file (sentences an agent or a customer says, written for
zhijian, Chinese and English) and on the agent and customer lines of the rule packs' own test
cases (the packs in ZHIJIAN_RULES_DIR). Like the sentiment model it is a pure function of that
data (TF-IDF character n-grams and a logistic regression), rebuilt in well under a second on
first use.
``zhijian models evaluate-roles`` cross-validates it; the figures are in MODEL_CARD.md.
"""

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "roles.tsv"
# One turn of a pack test case: "[0-3] agent: words" (the time is optional).
_PACK_LINE = re.compile(r"^\s*(?:\[[\d.\s-]+\]\s*)?(agent|customer)\s*[:：]\s*(\S.*)$")


def _pack_strings(node: Any) -> Iterator[tuple[str, str]]:
    """(role, text) of every turn written in a pack file's test cases."""
    if isinstance(node, dict):
        if node.get("role") in ("agent", "customer") and isinstance(node.get("text"), str):
            yield node["role"], node["text"]
        for value in node.values():
            yield from _pack_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _pack_strings(value)
    elif isinstance(node, str):
        for line in node.splitlines():
            found = _PACK_LINE.match(line)
            if found:
                yield found.group(1), found.group(2)


def read_data(packs: Path | None = None) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, languages): the written sentences, then the packs' test lines."""
    from services.config import get_settings

    packs = packs or get_settings().rules_dir  # ZHIJIAN_RULES_DIR: the packs in use
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    languages = [r["lang"] for r in rows]
    for pack in sorted(packs.glob("*.yaml")) if packs.is_dir() else []:
        seen = set(texts)
        for role, text in _pack_strings(yaml.safe_load(pack.read_text(encoding="utf-8"))):
            if text not in seen:
                seen.add(text)
                texts.append(text)
                labels.append(role)
                languages.append(pack.stem.split("-")[0])
    return texts, labels, languages


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def pipeline() -> Any:
    """The untrained model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(
            preprocessor=_normalise, analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True
        ),
        LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000),
    )


@dataclass
class RoleModel:
    """A trained classifier: how likely each sentence is the agent's."""

    model: Any

    def agent_probability(self, texts: list[str]) -> list[float]:
        """P(agent) for each text."""
        if not texts:
            return []
        column = list(self.model.classes_).index("agent")
        return [float(row[column]) for row in self.model.predict_proba(texts)]


@lru_cache(maxsize=1)
def load() -> RoleModel:
    """The classifier trained on the shipped data."""
    texts, labels, _ = read_data()
    return RoleModel(pipeline().fit(texts, labels))


def evaluate(folds: int = 5) -> dict[str, float]:
    """Stratified cross-validated accuracy, overall and per language."""
    import numpy as np
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, labels, languages = read_data()
    predicted = cross_val_predict(
        pipeline(), texts, labels, cv=StratifiedKFold(folds, shuffle=True, random_state=7)
    )
    truth, guess, lang = np.array(labels), np.array(predicted), np.array(languages)
    report = {"samples": float(len(texts)), "accuracy": accuracy_score(truth, guess)}
    for code in sorted(set(languages)):
        mask = lang == code
        report[f"accuracy_{code}"] = accuracy_score(truth[mask], guess[mask])
        report[f"samples_{code}"] = float(mask.sum())
    return {k: round(float(v), 3) for k, v in report.items()}
