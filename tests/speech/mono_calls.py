"""Mono test calls mixed down by sox from two-voice stereo calls, and how well roles come back.

Agent and customer answer each other within a breath (0.1–0.6 s), so most speaker changes lie
inside one region of voice activity and must be found by the voice, not by a pause.

**Measures.** The reference is who speaks when on the stereo original: voice activity on each
party's own line. Time is cut into 10 ms frames; frames within 0.25 s of a reference boundary
(the usual scoring collar) and frames where both parties speak are not scored. Over the other
reference speech frames:

- *right role*: the share of speech time given the right role;
- *diarization error rate*: (missed speech + false alarm + speech given the wrong role) / speech,
  with the roles themselves as labels (no best relabelling), so a call whose roles are swapped
  counts as wholly wrong.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.speech.transcribe import Activity, speech_regions
from tests.synth import Line, _voiced_bounds, espeak, fleurs_clip, mix, write_wav, zh_clip

FRAME_S = 0.01
COLLAR_S = 0.25
# One speaker: these FLEURS recordings match each other's voice at cosine ≥ 0.89 (other
# speakers of the set are below 0.8).
ONE_FLEURS_SPEAKER = ("fleurs_zh_005", "fleurs_zh_003", "fleurs_zh_008", "fleurs_zh_011")

# (role, source, pause after it in seconds): zh-clips are the agent's synthetic voice.
MANDARIN_TWO_VOICES = [
    ("agent", "agent_greeting_01", 0.15),
    ("customer", "fleurs_zh_005", 0.5),
    ("agent", "agent_ask_name", 0.2),
    ("customer", "fleurs_zh_003", 0.1),
    ("agent", "agent_process", 0.6),
    ("customer", "fleurs_zh_008", 0.2),
    ("agent", "agent_forbidden_notmine", 0.3),
    ("customer", "fleurs_zh_011", 0.4),
    ("agent", "agent_closing", 0.5),
]
# Both parties in the one synthetic voice of zh-clips.
MANDARIN_ONE_VOICE = [
    ("agent", "agent_greeting_02", 0.6),
    ("customer", "customer_billing", 0.5),
    ("agent", "agent_hold", 0.6),
    ("agent", "agent_after_hold", 0.4),
    ("customer", "customer_cancel", 0.5),
    ("agent", "agent_forbidden_noway", 0.5),
    ("customer", "customer_angry", 0.6),
    ("agent", "agent_closing", 0.5),
]
# No greeting script and, on a call of unknown direction, no first speaker: only what each voice
# says and, where enrolled, the agent's voiceprint tell the roles.
WITHOUT_SCRIPT = [
    ("customer", "fleurs_zh_005", 0.3),
    ("agent", "agent_balance", 0.3),
    ("customer", "fleurs_zh_003", 0.4),
    ("agent", "agent_confirm", 0.3),
    ("customer", "fleurs_zh_008", 0.3),
    ("agent", "agent_process", 0.5),
]
ENGLISH_TWO_VOICES = [
    ("agent", "Thank you for calling North Star Bank, my name is Anna, how can I help you?", 0.2),
    ("customer", "Hi, I would like to check the balance of my savings account please.", 0.15),
    ("agent", "Of course. Can I have your account number?", 0.3),
    ("customer", "Sure, it is on the letter you sent me.", 0.1),
    ("agent", "Thank you. I can see the deposit you made at the branch.", 0.5),
    ("customer", "That seems wrong, I made a second deposit yesterday morning.", 0.2),
    ("agent", "That is not my problem, you have to call the branch.", 0.3),
    ("customer", "Fine. Goodbye.", 0.4),
]


def _source(role: str, source: str) -> tuple[str, np.ndarray]:
    if source.startswith("fleurs_zh_"):
        return fleurs_clip(source)
    if source.startswith(("agent_", "customer_")):
        return zh_clip(source)
    return source, espeak(source, role)


def build(script: list[tuple[str, str, float]]) -> list[Line]:
    """The lines placed one after another, each starting its pause after the last one's speech."""
    lines, at = [], 0.5
    for role, source, pause in script:
        text, samples = _source(role, source)
        line = Line(role, text, max(0.0, at - _voiced_bounds(samples)[0]), samples)
        lines.append(line)
        at = line.end + pause
    return lines


def mono_wav(lines: list[Line], folder: Path, *, telephone: bool = False) -> Path:
    """The stereo call (agent left, customer right) mixed down to one channel by sox."""
    stereo = write_wav(folder / "stereo.wav", mix(lines))
    mono = folder / "mono.wav"
    extra = ["-r", "8000", "-e", "u-law"] if telephone else []
    subprocess.run(["sox", "-R", str(stereo), *extra, str(mono), "remix", "1,2"], check=True)
    return mono


@dataclass
class RoleScore:
    """How well roles came back, as shares of scored reference speech time."""

    right: float
    missed: float
    false_alarm: float
    wrong_role: float

    @property
    def der(self) -> float:
        """Diarization error rate, roles as labels."""
        return self.missed + self.false_alarm + self.wrong_role


def score(lines: list[Line], activity: list[Activity]) -> RoleScore:
    """Compares who speaks when against the stereo original (see the module docstring)."""
    frames = int((max(line.at + len(line.samples) / 16000 for line in lines) + 2) / FRAME_S)
    reference = np.full(frames, "", dtype=object)
    scored = np.ones(frames, dtype=bool)
    collar = int(COLLAR_S / FRAME_S)
    for line in lines:
        for start, end in speech_regions(line.samples):
            a, b = int((line.at + start) / FRAME_S), int((line.at + end) / FRAME_S)
            reference[a:b] = np.where(reference[a:b] == "", line.role, "both")
            for edge in (a, b):
                scored[max(0, edge - collar) : edge + collar] = False
    hypothesis = np.full(frames, "", dtype=object)
    for party in activity:
        for start, end in party.regions:
            hypothesis[int(start / FRAME_S) : int(end / FRAME_S)] = party.role
    scored &= reference != "both"
    speech = scored & (reference != "")
    total = max(int(speech.sum()), 1)

    def share(mask: np.ndarray) -> float:
        return float(mask.sum()) / total

    return RoleScore(
        right=share(speech & (hypothesis == reference)),
        missed=share(speech & (hypothesis == "")),
        false_alarm=share(scored & (reference == "") & (hypothesis != "")),
        wrong_role=share(speech & (hypothesis != "") & (hypothesis != reference)),
    )
