"""Whisper's temperature fallback, cut short on audio that really repeats itself.

faster-whisper decodes each 30-second window greedily (temperature 0) and, when the text looks
wrong (it repeats itself: a compression ratio over 2.4; or its words are unlikely), decodes it
again hotter, up to six times, sampling five candidates each time. On a recorded announcement
played in a loop (an IVR prompt, "this call may be recorded" while on hold) the text repeats
because the audio does: every hotter decode fails the same test, and the window costs six
decodes to end with what the first one heard (measured: a 56 s loop of one prompt took 43 s).
So when the first ``REPETITIVE_TRIES`` decodes all repeat themselves the way a sentence said
again and again does, the fallback stops there and keeps the likeliest of them. A few tokens
looping ("小小小小…", Whisper on hold music) compress far more than a sentence repeated: those
windows, and those that fail for unlikely words, climb the whole ladder, whose hotter decodes
break the loop or end with words unlikely enough to be dropped.
"""

from dataclasses import replace
from typing import Any

from faster_whisper import WhisperModel
from faster_whisper.transcribe import TranscriptionOptions

REPETITIVE_TRIES = 2  # temperature 0, then one hotter decode
# A sentence of 2 s or more said again and again fits at most 15 times in a window, which gzip
# compresses by about 7 (measured: a 5 s prompt looped, 6.9); one token looping, by 20 and more.
MAX_SENTENCE_REPETITION_RATIO = 10.0


def _needs_fallback(
    decoded: tuple[Any, float, float, float], options: TranscriptionOptions
) -> bool:
    """faster-whisper's own test of a decode (``generate_with_fallback``)."""
    result, avg_logprob = decoded[0], decoded[1]
    unlikely = options.log_prob_threshold is not None and avg_logprob < options.log_prob_threshold
    silence = (
        unlikely
        and options.no_speech_threshold is not None
        and result.no_speech_prob > options.no_speech_threshold
    )
    return (_repetitive(decoded, options) or unlikely) and not silence


def _repetitive(decoded: tuple[Any, float, float, float], options: TranscriptionOptions) -> bool:
    threshold = options.compression_ratio_threshold
    return threshold is not None and decoded[3] > threshold


def _sentence_repeated(
    decoded: tuple[Any, float, float, float], options: TranscriptionOptions
) -> bool:
    return _repetitive(decoded, options) and decoded[3] <= MAX_SENTENCE_REPETITION_RATIO


class CappedWhisperModel(WhisperModel):
    """faster-whisper's model with the fallback capped on repetitive audio (see the module)."""

    def generate_with_fallback(
        self, encoder_output: Any, prompt: list[int], tokenizer: Any, options: TranscriptionOptions
    ) -> tuple[Any, float, float, float]:
        """One window's decode: each temperature in turn until one passes, as faster-whisper
        does, except that ``REPETITIVE_TRIES`` decodes that all repeat a sentence end it."""
        tried = []
        for temperature in options.temperatures:
            decoded = super().generate_with_fallback(
                encoder_output, prompt, tokenizer, replace(options, temperatures=[temperature])
            )
            if not _needs_fallback(decoded, options):
                return decoded
            tried.append(decoded)
            if len(tried) >= REPETITIVE_TRIES and all(
                _sentence_repeated(d, options) for d in tried
            ):
                break
        # All failed: the likeliest of those that do not repeat themselves, as faster-whisper picks.
        passable = [d for d in tried if not _repetitive(d, options)]
        best = max(passable or tried, key=lambda d: d[1])
        return (best[0], best[1], tried[-1][2], best[3])
