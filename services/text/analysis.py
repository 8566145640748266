"""Text analysis done once per turn, when the transcript is stored, so that scoring (and every
re-scoring under a new pack version) is lookups: normalised text, jieba word boundaries,
speech-rate units and the sentiment classifier's scores."""

from dataclasses import dataclass

from services.text.normalise import is_chinese, normalise, word_edges


@dataclass(frozen=True, slots=True)
class TurnAnalysis:
    """What the rules need to know about one turn's text."""

    norm: str
    word_edges: str  # where words start or end in ``norm`` (text.word_edges)
    units: int  # characters (Chinese) or words, for the speech rate


def units(text: str) -> int:
    """Speech-rate units: Chinese characters and digits for Chinese text, else words."""
    if is_chinese(text):
        return sum(1 for ch in text if ch.isalnum())
    return len([w for w in text.split() if any(ch.isalnum() for ch in w)])


def analyse(text: str) -> TurnAnalysis:
    """Analyses one turn's text."""
    norm = normalise(text)
    return TurnAnalysis(norm, word_edges(norm), units(text))


def sentiment(texts: list[str]) -> list[dict[str, float]] | None:
    """Each text's probability of sounding angry / negative; None without a classifier."""
    from models import sentiment as sentiment_model

    classifier = sentiment_model.load(normalise)
    if classifier is None:
        return None
    angry = classifier.score(texts, "angry")
    negative = classifier.score(texts, "negative")
    return [
        {"angry": round(a, 3), "negative": round(n, 3)}
        for a, n in zip(angry, negative, strict=True)
    ]
