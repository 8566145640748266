"""Per-party transcription: VAD speech regions, Whisper words, turns snapped to real speech.

Whisper's segment boundaries are not where people speak: a segment can span a 15 s pause, and
word timestamps drift by a few hundred milliseconds. So turn times come from the voice activity
detector on each party's own channel, and Whisper only supplies the words that fall into them.
Words with no speech under them (Whisper hallucinating over silence or hold music) are dropped.
"""

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from services.speech.audio import SAMPLE_RATE
from services.text.normalise import simplified

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# Fine-grained regions for timing: no padding, short pauses kept apart.
TIMING_VAD = VadOptions(min_silence_duration_ms=300, speech_pad_ms=30)
# Coarser, padded chunks for recognition: Whisper drops a call's last words without the padding.
ASR_VAD = VadOptions(min_silence_duration_ms=1000, speech_pad_ms=400)
# faster-whisper's own default: decode greedily, re-decode hotter when the text looks wrong.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Speech Whisper skipped is decoded again alone (recover_skipped): long enough to be words,
# padded with the silence around it. Voice activity says someone spoke there and Whisper still
# drops what it judges no speech, so only the words it is least sure of are left out.
MIN_RECOVERY_S = 0.3
RECOVERY_PAD_S = 0.5
MIN_RECOVERY_PROBABILITY = 0.3
# How far a Whisper word may sit from detected speech and still count as spoken.
WORD_TOLERANCE_S = 0.5


@dataclass
class Word:
    """A recognised word (a character or token in Chinese) with its timing."""

    text: str
    start: float
    end: float
    probability: float


@dataclass
class TurnDraft:
    """A party speaking without a long pause, before it is stored."""

    role: str
    channel: int
    start: float
    end: float
    words: list[Word] = field(default_factory=list)
    redactions: list[dict[str, Any]] = field(default_factory=list)
    unredacted: str | None = None
    role_confidence: float | None = None  # None where the channel says who speaks

    @property
    def text(self) -> str:
        """The words joined as Whisper spells them (English words carry their leading space)."""
        return "".join(w.text for w in self.words).strip()

    @property
    def confidence(self) -> float:
        """Mean word probability."""
        return float(np.mean([w.probability for w in self.words])) if self.words else 0.0


@dataclass
class Activity:
    """Where one party speaks, and how loud, for the conversation metrics."""

    role: str
    channel: int
    regions: list[tuple[float, float]]
    loudness_dbfs: float | None  # RMS over the speech; None when the party never speaks


@dataclass(frozen=True)
class Party:
    """One side of the call and the audio of its channel."""

    role: str
    channel: int
    samples: np.ndarray


def speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where someone speaks on one channel, in seconds."""
    found = get_speech_timestamps(samples, TIMING_VAD, sampling_rate=SAMPLE_RATE)
    return [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in found]


def recognise(
    model: "WhisperModel",
    samples: np.ndarray,
    *,
    language: str | None,
    beam_size: int,
    temperatures: Sequence[float] = FALLBACK_TEMPERATURES,
    hotwords: str | None = None,
) -> list[Word]:
    """Whisper words for one channel, in Simplified Chinese where Chinese."""
    segments, _info = model.transcribe(
        samples,
        language=language,
        beam_size=beam_size,
        temperature=list(temperatures),
        hotwords=hotwords,
        word_timestamps=True,
        vad_filter=True,
        vad_parameters=ASR_VAD,
        # Conditioning on earlier text makes Whisper loop on repeated phrases in long calls.
        condition_on_previous_text=False,
    )
    words = []
    for segment in segments:
        for w in segment.words or []:
            words.append(
                Word(simplified(w.word), float(w.start), float(w.end), float(w.probability))
            )
    return words


def recover_skipped(
    model: "WhisperModel",
    samples: np.ndarray,
    regions: list[tuple[float, float]],
    words: list[Word],
    **options: Any,
) -> list[Word]:
    """Words for speech Whisper passed over, recognised again on their own.

    Whisper sometimes skips a short utterance, most often a call's last words ("Goodbye.")
    when they end its window; a region of speech with no word in it is decoded once more,
    alone with a little silence around it, so those words are not lost.
    """
    recovered: list[Word] = []
    for start, end in regions:
        if end - start < MIN_RECOVERY_S or any(
            start <= (w.start + w.end) / 2 <= end for w in words
        ):
            continue
        offset = max(0.0, start - RECOVERY_PAD_S)
        clip = samples[int(offset * SAMPLE_RATE) : int((end + RECOVERY_PAD_S) * SAMPLE_RATE)]
        for w in recognise(model, clip, **options):
            if w.probability >= MIN_RECOVERY_PROBABILITY:
                recovered.append(Word(w.text, w.start + offset, w.end + offset, w.probability))
    return recovered


def build_turns(
    words: list[Word],
    regions: list[tuple[float, float]],
    *,
    role: str,
    channel: int,
    pause_s: float,
) -> list[TurnDraft]:
    """Groups words into turns bounded by real speech; drops words with no speech under them."""
    by_region: dict[int, list[Word]] = {}
    previous = None
    for word in words:
        region = _nearest_region(word, regions)
        if region is not None and _opens_sentence(previous, word):
            region = _following_region(word, regions, region)
        if region is not None:
            by_region.setdefault(region, []).append(word)
        previous = word
    turns: list[TurnDraft] = []
    for index in sorted(by_region):
        start, end = regions[index]
        if turns and start - turns[-1].end < pause_s:
            turns[-1].end = end
            turns[-1].words.extend(by_region[index])
        else:
            turns.append(TurnDraft(role, channel, start, end, list(by_region[index])))
    return [t for t in turns if t.text]


_SENTENCE_END = tuple(".?!。？！")


def _opens_sentence(previous: Word | None, word: Word) -> bool:
    """Whether ``word`` starts a new sentence (after a full stop, or capitalised in English)."""
    text = word.text.strip()
    if previous is None or not text:
        return False
    capitalised = text[0].isupper() and text not in ("I", "I'm", "I'll", "I've", "I'd")
    return previous.text.strip().endswith(_SENTENCE_END) or capitalised


def _following_region(word: Word, regions: list[tuple[float, float]], nearest: int) -> int:
    """For a sentence's first word stamped in the gap before its speech, the region after it.

    Whisper stamps a sentence's first word early, into the silence before it; without this the
    word ends the previous turn ("… today? of" / "course, please hold …").
    """
    start, end = regions[nearest]
    inside = min(end, word.end) - max(start, word.start) > 0
    later = nearest + 1
    if inside or word.start < end or later >= len(regions):
        return nearest
    return later if regions[later][0] - word.end <= WORD_TOLERANCE_S else nearest


def _nearest_region(word: Word, regions: list[tuple[float, float]]) -> int | None:
    best, best_distance = None, WORD_TOLERANCE_S
    for index, (start, end) in enumerate(regions):
        overlap = min(end, word.end) - max(start, word.start)
        distance = -overlap if overlap > 0 else max(start - word.end, word.start - end)
        if distance <= best_distance:
            best, best_distance = index, distance
    return best


def loudness_dbfs(samples: np.ndarray, regions: list[tuple[float, float]]) -> float | None:
    """RMS level of the speech in ``regions``, in dB relative to full scale."""
    if not regions:
        return None
    speech = np.concatenate(
        [samples[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)] for s, e in regions]
    )
    rms = float(np.sqrt(np.mean(np.square(speech, dtype=np.float64)))) if speech.size else 0.0
    return round(20 * float(np.log10(max(rms, 1e-10))), 1)


def party_words(
    model: "WhisperModel", samples: np.ndarray, regions: list[tuple[float, float]], **options: Any
) -> list[Word]:
    """One channel's words: Whisper's, and those of speech it passed over."""
    words = recognise(model, samples, **options)
    return words + recover_skipped(model, samples, regions, words, **options)


def transcribe_parties(
    model: "WhisperModel",
    parties: list[Party],
    *,
    language: str | None,
    beam_size: int,
    pause_s: float,
    temperatures: Sequence[float] = FALLBACK_TEMPERATURES,
    hotwords: str | None = None,
) -> tuple[list[TurnDraft], list[Activity]]:
    """All parties' turns merged in time order, and each party's speech activity.

    The parties are decoded at the same time, one thread each: decoding one window is mostly
    a chain of small steps that one core runs as fast as several (the README's ASR figures), so
    two parties on two cores take about the time of the longer one.
    """
    options: dict[str, Any] = {
        "language": language,
        "beam_size": beam_size,
        "temperatures": temperatures,
        "hotwords": hotwords,
    }

    def one(party: Party) -> tuple[list[TurnDraft], Activity]:
        regions = speech_regions(party.samples)
        activity = Activity(
            party.role, party.channel, regions, loudness_dbfs(party.samples, regions)
        )
        if not regions:
            return [], activity
        words = party_words(model, party.samples, regions, **options)
        turns = build_turns(words, regions, role=party.role, channel=party.channel, pause_s=pause_s)
        return turns, activity

    with ThreadPoolExecutor(max_workers=max(1, len(parties))) as pool:
        done = list(pool.map(one, parties))
    turns = [turn for party_turns, _ in done for turn in party_turns]
    return sorted(turns, key=lambda t: (t.start, t.channel)), [a for _, a in done]
