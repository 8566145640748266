"""Speaker separation: a mono recording's speech split where the voice changes, into two voices,
and one voice recognised as one (no Whisper needed)."""

from pathlib import Path

import numpy as np
import pytest

from services.speech import speakers
from services.speech.audio import decode
from services.speech.transcribe import Activity, speech_regions
from tests.speech.mono_calls import (
    MANDARIN_ONE_VOICE,
    MANDARIN_TWO_VOICES,
    build,
    mono_wav,
    score,
)


def _separate(script, folder: Path):
    lines = build(script)
    samples = decode(mono_wav(lines, folder), max_duration_s=600).channels[0]
    return lines, speakers.separate(samples, speech_regions(samples))


def _as_roles(lines, separation) -> list[Activity]:
    """Each voice named after the role it shares most speech with: the best relabelling."""
    activity = []
    for voice in (0, 1):
        spans = [(p.start, p.end) for p in separation.pieces if p.voice == voice]
        overlap = {
            role: sum(
                max(0.0, min(e, ln.end) - max(s, ln.start))
                for s, e in spans
                for ln in lines
                if ln.role == role
            )
            for role in ("agent", "customer")
        }
        activity.append(Activity(max(overlap, key=overlap.__getitem__), 0, spans, None))
    return activity


def test_two_voices_answering_within_a_breath_are_told_apart(tmp_path: Path):
    lines, separation = _separate(MANDARIN_TWO_VOICES, tmp_path)

    result = score(lines, _as_roles(lines, separation))

    assert separation.separable, separation.silhouette
    assert result.right >= 0.95, result
    assert result.der <= 0.10, result


def test_a_change_of_voice_inside_one_region_of_speech_is_found(tmp_path: Path):
    lines = build(MANDARIN_TWO_VOICES[3:5])  # 0.1 s between them: one region of speech
    samples = decode(mono_wav(lines, tmp_path), max_duration_s=600).channels[0]
    regions = speech_regions(samples)
    assert len(regions) == 1

    found = speakers.change_points(samples, *regions[0])

    # The first pass places it to within about half a second; the second, against the voices
    # heard over the whole call, refines it (the call-level tests measure the result).
    assert len(found) == 1
    assert found[0] == pytest.approx((lines[0].end + lines[1].start) / 2, abs=0.6)


def test_one_voice_playing_both_parties_is_not_split_into_two(tmp_path: Path):
    _lines, separation = _separate(MANDARIN_ONE_VOICE, tmp_path)

    assert not separation.separable, separation.silhouette


def test_silence_has_no_pieces():
    separation = speakers.separate(np.zeros(16000, dtype=np.float32), [])

    assert separation.pieces == [] and not separation.separable
