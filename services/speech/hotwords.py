"""Hotwords for Whisper: the keywords the rule packs will look for in a call.

faster-whisper puts ``hotwords`` into the decoder's prompt, so Whisper leans towards spelling
those words as the packs expect (工号, not 公号). The prompt shares a token budget with the
decoding itself, so the list is cut to a number of characters; the packs' own order decides
which words come first. The terms come from the scoring stage's packs
(``scoring.service.keyword_terms``), looked up by the worker that runs this stage.
"""

from collections.abc import Sequence

# Chinese terms are joined without spaces, as Whisper would write them in a sentence.
_SEPARATOR = {"zh": "，"}


def wanted(setting: str, queue: str | None) -> bool:
    """Whether hotwords are on for a queue: ``on``, ``off``, or a comma-separated queue list."""
    value = setting.strip()
    if value.lower() in ("on", "off"):
        return value.lower() == "on"
    return queue is not None and queue in {q.strip() for q in value.split(",") if q.strip()}


def hotwords(terms: Sequence[str], *, language: str | None, max_chars: int) -> str | None:
    """``terms`` (the packs' keywords, in order) as one hotword string of at most ``max_chars``;
    None when there are none.

    Without a known language there are no hotwords: Chinese terms would pull an English call
    towards Chinese.
    """
    if language is None or max_chars <= 0:
        return None
    separator = _SEPARATOR.get(language.split("-")[0], ", ")
    chosen: list[str] = []
    length = 0
    for term in terms:
        added = len(term) + (len(separator) if chosen else 0)
        if length + added > max_chars:
            break
        chosen.append(term)
        length += added
    return separator.join(chosen) or None
