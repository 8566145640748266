"""Test calls built from real speech: espeak-ng for English, the Mandarin clips for Chinese.

Each line is placed at a known time on its party's channel, so tests know where speech is.
"""

import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.speech.audio import SAMPLE_RATE, decode

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ZH_CLIPS = SHARED_DATA / "zh-clips"
VOICES = {"agent": ("en+f3", 160), "customer": ("en+m3", 150)}


@dataclass
class Line:
    """One utterance of a test call, with where its speech really is."""

    role: str
    text: str
    at: float
    samples: np.ndarray

    @property
    def start(self) -> float:
        """First second with sound (the synthesiser adds a little silence around speech)."""
        return self.at + _voiced_bounds(self.samples)[0]

    @property
    def end(self) -> float:
        """Last second with sound."""
        return self.at + _voiced_bounds(self.samples)[1]


def _voiced_bounds(samples: np.ndarray) -> tuple[float, float]:
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    return loud[0] / SAMPLE_RATE, loud[-1] / SAMPLE_RATE


def espeak(text: str, role: str) -> np.ndarray:
    """English speech for ``role``'s voice, 16 kHz float32."""
    voice, speed = VOICES[role]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "line.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text], check=True
        )
        return decode(out, max_duration_s=600).channels[0]


def zh_clip(name: str) -> tuple[str, np.ndarray]:
    """A Mandarin clip and its reference text, from ../shared/data/zh-clips."""
    rows = (ZH_CLIPS / "clips.tsv").read_text(encoding="utf-8").splitlines()
    texts = {r.split("\t")[0]: r.split("\t")[2] for r in rows[1:]}
    file = f"{name}.wav"
    return texts[file], decode(ZH_CLIPS / file, max_duration_s=600).channels[0]


def fleurs_clip(name: str) -> tuple[str, np.ndarray]:
    """A FLEURS Mandarin recording and its reference text, from ../shared/data/zh-real."""
    rows = (SHARED_DATA / "zh-real" / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    texts = {r.split("\t")[0]: r.split("\t")[1] for r in rows[1:] if r.strip()}
    file = f"{name}.wav"
    return texts[file], decode(SHARED_DATA / "zh-real" / file, max_duration_s=60).channels[0]


def one_voice(names: Sequence[str]) -> np.ndarray:
    """zh-clips or FLEURS recordings said one after another, 0.3 s apart."""
    gap = np.zeros(SAMPLE_RATE * 3 // 10, dtype=np.float32)
    clips = [(fleurs_clip if n.startswith("fleurs_zh_") else zh_clip)(n)[1] for n in names]
    return np.concatenate([part for clip in clips for part in (clip, gap)])


def voice_recording(folder: Path, names: Sequence[str], *, channels: int = 1) -> bytes:
    """A WAV of ``one_voice(names)``, as an agent would enroll."""
    path = folder / f"voice-{len(names)}-{channels}.wav"
    return write_wav(path, np.tile(one_voice(names), (channels, 1))).read_bytes()


def mix(lines: list[Line], *, tail_s: float = 1.0, stereo: bool = True) -> np.ndarray:
    """Places every line at its time: agent left, customer right (or one mono channel)."""
    length = max(int((ln.at + tail_s) * SAMPLE_RATE) + len(ln.samples) for ln in lines)
    out = np.zeros((2 if stereo else 1, length), dtype=np.float32)
    for ln in lines:
        channel = (0 if ln.role == "agent" else 1) if stereo else 0
        begin = int(ln.at * SAMPLE_RATE)
        out[channel, begin : begin + len(ln.samples)] += ln.samples
    return np.clip(out, -1.0, 1.0)


def write_wav(path: Path, audio: np.ndarray, *, telephone: bool = False) -> Path:
    """Writes 16 kHz PCM16, or with ``telephone`` an 8 kHz u-law copy made by sox."""
    pcm = (audio.T * 32767).astype("<i2")
    target = path.with_suffix(".pcm.wav") if telephone else path
    with wave.open(str(target), "wb") as w:
        w.setnchannels(audio.shape[0])
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    if telephone:
        # -R: the same dither noise every time, so that every run hears the same call.
        subprocess.run(
            ["sox", "-R", str(target), "-r", "8000", "-e", "u-law", str(path)], check=True
        )
        target.unlink()
    return path


ENGLISH_SCRIPT = [
    (
        "agent",
        "Thank you for calling North Star Bank, my name is Anna, how can I help you today?",
        0.5,
    ),
    ("customer", "Hi, I would like to check the balance of my savings account please.", 6.0),
    ("agent", "Of course. Please hold for a moment while I look that up for you.", 11.5),
    # 12 s of silence on both channels: the agent is looking the account up.
    ("agent", "Thank you for waiting. I can see the deposit you made at the branch.", 28.0),
    (
        "customer",
        "That seems wrong, I made a second deposit yesterday morning at the branch.",
        33.0,
    ),
    # The agent starts while the customer is still speaking: about 2 s of overtalk.
    ("agent", "I understand, let me check the pending transactions.", 35.5),
    ("customer", "Great, thank you very much for your help. Goodbye.", 41.0),
]

MANDARIN_SCRIPT = [
    ("agent", "agent_greeting_01", 0.5),
    ("customer", "customer_complaint", 6.0),
    ("agent", "agent_empathy", 11.0),
    ("customer", "customer_angry", 15.0),
    ("agent", "agent_apology", 18.5),
    ("customer", "customer_thanks", 24.0),
    ("agent", "agent_closing", 26.5),
]


def english_call() -> list[Line]:
    """The English test call: agent left, customer right, a 12 s pause and 2 s of overtalk."""
    return en_lines(ENGLISH_SCRIPT)


def mandarin_call() -> list[Line]:
    """A Mandarin call from the clip library: agent left, customer right."""
    return zh_lines(MANDARIN_SCRIPT)


def zh_lines(script: list[tuple[str, str, float]]) -> list[Line]:
    """Lines from Mandarin clips: (role, clip name, start second)."""
    lines = []
    for role, clip, at in script:
        text, samples = zh_clip(clip)
        lines.append(Line(role, text, at, samples))
    return lines


def en_lines(script: list[tuple[str, str, float]]) -> list[Line]:
    """English lines spoken by espeak-ng: (role, text, start second)."""
    return [Line(role, text, at, espeak(text, role)) for role, text, at in script]
