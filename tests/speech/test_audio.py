"""Decoding: common formats and telephone audio in, clear reasons for what cannot be used."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from services.errors import BadRecording
from services.speech.audio import SAMPLE_RATE, decode
from tests.synth import espeak, write_wav


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audio")
    return write_wav(folder / "speech.wav", np.stack([espeak("One two three four.", "agent")] * 2))


def test_telephone_formats_decode_to_16khz_with_channels_kept(speech: Path, tmp_path: Path):
    ulaw = write_wav(tmp_path / "t.wav", decode(speech, max_duration_s=60).channels, telephone=True)
    mp3 = tmp_path / "t.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(speech), str(mp3)], check=True)

    for path, rate in ((ulaw, 8000), (mp3, 16000)):
        audio = decode(path, max_duration_s=60)
        assert audio.channels.shape[0] == 2
        assert audio.source_sample_rate == rate
        assert audio.duration_s == pytest.approx(
            decode(speech, max_duration_s=60).duration_s, abs=0.1
        )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", r"the recording is empty \(0 bytes\)"),
        (b"\x00\x01garbage" * 500, "not an audio recording"),
        (b"<html><body>404</body></html>", "not an audio recording"),
    ],
)
def test_unusable_bytes_are_refused_with_a_reason(tmp_path: Path, content: bytes, reason: str):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)

    with pytest.raises(BadRecording, match=reason):
        decode(path, max_duration_s=60)


def test_digital_silence_is_refused(tmp_path: Path):
    path = write_wav(tmp_path / "silence.wav", np.zeros((2, SAMPLE_RATE * 3), dtype=np.float32))

    with pytest.raises(BadRecording, match=r"silent \(3.0 s"):
        decode(path, max_duration_s=60)


def test_wav_header_that_lies_about_its_length_is_truncated(speech: Path, tmp_path: Path):
    cut = tmp_path / "cut.wav"
    cut.write_bytes(speech.read_bytes()[:-20000])

    with pytest.raises(BadRecording, match="truncated: its header declares"):
        decode(cut, max_duration_s=60)


def test_streamed_wav_with_unknown_length_is_accepted(speech: Path, tmp_path: Path):
    data = bytearray(speech.read_bytes())
    data[40:44] = b"\xff\xff\xff\xff"  # what a recorder writes before it knows the length
    streamed = tmp_path / "streamed.wav"
    streamed.write_bytes(bytes(data))

    assert decode(streamed, max_duration_s=60).duration_s > 1


def test_recordings_over_the_length_limit_are_refused(speech: Path):
    with pytest.raises(BadRecording, match="longer than the limit"):
        decode(speech, max_duration_s=0.5)
