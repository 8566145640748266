"""Whisper's temperature fallback, cut short where the audio itself repeats (models/fallback.py)."""

from dataclasses import dataclass, field
from types import SimpleNamespace

import faster_whisper
import numpy as np
import pytest

from models.fallback import REPETITIVE_TRIES, CappedWhisperModel


@dataclass
class Options:
    """The fields of faster-whisper's TranscriptionOptions the fallback reads."""

    temperatures: list[float] = field(default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    compression_ratio_threshold: float | None = 2.4
    log_prob_threshold: float | None = -1.0
    no_speech_threshold: float | None = 0.6


def _scripted(monkeypatch, decodes: dict[float, tuple[float, float]]) -> list[float]:
    """faster-whisper's one-temperature decode answering (avg logprob, compression ratio)."""
    tried: list[float] = []

    def decode(self, encoder_output, prompt, tokenizer, options):
        (temperature,) = options.temperatures
        tried.append(temperature)
        logprob, ratio = decodes[temperature]
        return SimpleNamespace(no_speech_prob=0.1, text=temperature), logprob, temperature, ratio

    monkeypatch.setattr(faster_whisper.WhisperModel, "generate_with_fallback", decode)
    return tried


def _decode(options=None):
    model = CappedWhisperModel.__new__(CappedWhisperModel)  # no model files: the decode is scripted
    return model.generate_with_fallback(None, [], None, options or Options())


def test_a_sentence_said_again_and_again_stops_the_fallback_early(monkeypatch):
    tried = _scripted(monkeypatch, dict.fromkeys(Options().temperatures, (-0.1, 6.9)))

    _result, logprob, temperature, ratio = _decode()

    assert tried == [0.0, 0.2][:REPETITIVE_TRIES]
    assert (logprob, ratio, temperature) == (-0.1, 6.9, 0.2)


def test_a_few_tokens_looping_climb_the_whole_ladder(monkeypatch):
    decodes = dict.fromkeys(Options().temperatures, (-0.1, 25.7))
    decodes[0.6] = (-0.4, 1.1)  # a hotter decode breaks the loop
    tried = _scripted(monkeypatch, decodes)

    result, _logprob, _temperature, ratio = _decode()

    assert tried == [0.0, 0.2, 0.4, 0.6] and result.text == 0.6 and ratio == 1.1


@pytest.mark.parametrize("ratio", [1.2, 6.9])
def test_unlikely_words_climb_the_whole_ladder_and_keep_the_likeliest(monkeypatch, ratio):
    decodes = {t: (-1.5 - t, 1.2) for t in Options().temperatures}
    decodes[0.0] = (-1.2, ratio)  # at temperature 0 it may also repeat itself
    tried = _scripted(monkeypatch, decodes)

    _result, logprob, temperature, _ratio = _decode()

    assert tried == Options().temperatures
    expected = -1.2 if ratio < 2.4 else -1.7  # a repetitive one is kept only if all are
    assert logprob == expected and temperature == 1.0


def test_a_decode_that_passes_ends_it_as_before(monkeypatch):
    tried = _scripted(monkeypatch, {0.0: (-0.3, 1.5)})

    assert _decode()[1] == -0.3 and tried == [0.0]


@pytest.mark.slow
def test_an_announcement_on_a_loop_costs_two_decodes_not_six(whisper, monkeypatch):
    from services.speech.transcribe import recognise
    from tests.synth import zh_clip

    _text, prompt = zh_clip("agent_recording_notice")
    gap = np.zeros(8000, dtype=np.float32)
    loop = np.concatenate([part for _ in range(12) for part in (prompt, gap)])  # about a minute
    temperatures: list[float] = []
    decode = faster_whisper.WhisperModel.generate_with_fallback

    def counted(self, encoder_output, prompt, tokenizer, options):
        temperatures.extend(options.temperatures)
        return decode(self, encoder_output, prompt, tokenizer, options)

    monkeypatch.setattr(faster_whisper.WhisperModel, "generate_with_fallback", counted)

    words = recognise(whisper, loop, language="zh", beam_size=5)

    heard = "".join(w.text for w in words)
    assert "提升服务质量" in heard, heard
    # The window whose text repeats stops after its second decode; without the cap it took six.
    assert temperatures[:2] == [0.0, 0.2] and 0.4 not in temperatures, temperatures
