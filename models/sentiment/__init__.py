"""Customer sentiment/anger classifier (see README.md in this folder, the model card)."""

from models.sentiment.classifier import SentimentModel, load

__all__ = ["SentimentModel", "load"]
