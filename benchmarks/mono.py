"""Mono recordings: how well speaker separation gives each party its role, and what it costs.

For each test call of tests/speech/mono_calls.py (mixed down to mono by sox, 16 kHz and an
8 kHz u-law telephone copy) it runs the speech stage's mono path with the real Whisper base
model and prints: how the roles were found, the share of speech time with the right role, the
diarization error rate (roles as labels, 0.25 s collar, overlaps not scored; the measures are
defined in that module), and the seconds spent separating voices against the whole stage.

    .venv/bin/python benchmarks/mono.py
"""

import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # for tests.speech.mono_calls

from models import asr  # noqa: E402
from services.config import Settings  # noqa: E402
from services.speech import speakers  # noqa: E402
from services.speech.audio import decode  # noqa: E402
from services.speech.mono import transcribe_mono  # noqa: E402
from services.speech.transcribe import Party, speech_regions  # noqa: E402
from tests.speech.mono_calls import (  # noqa: E402
    ENGLISH_TWO_VOICES,
    MANDARIN_ONE_VOICE,
    MANDARIN_TWO_VOICES,
    build,
    mono_wav,
    score,
)

CALLS = [
    ("zh, agent synthetic / customer FLEURS", "zh", MANDARIN_TWO_VOICES),
    ("en, two espeak-ng voices", "en", ENGLISH_TWO_VOICES),
    ("zh, one synthetic voice for both", "zh", MANDARIN_ONE_VOICE),
]


def main() -> None:
    """Prints one row per call and line quality."""
    settings = Settings()
    model = asr.load(asr.resolve(settings))
    print("| call | audio | roles by | confidence | right role | DER | separation s | stage s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, language, script in CALLS:
        lines = build(script)
        for telephone in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                path = mono_wav(lines, Path(tmp), telephone=telephone)
                samples = decode(path, max_duration_s=600).channels[0]
            began = time.perf_counter()
            speakers.separate(samples, speech_regions(samples))
            separation_s = time.perf_counter() - began
            began = time.perf_counter()
            found = transcribe_mono(
                model,
                Party("unknown", 0, samples),
                pause_s=settings.turn_pause_s,
                inbound=True,
                min_confidence=settings.mono_role_confidence,
                language=language,
                beam_size=settings.asr_beam_size,
            )
            stage_s = time.perf_counter() - began
            result = score(lines, found.activity)
            audio = "8 kHz u-law" if telephone else "16 kHz"
            # Roles left unknown are no wrong answer: there is nothing to score.
            right, der = (
                (f"{result.right:.1%}", f"{result.der:.1%}")
                if found.decision.method != "none"
                else ("—", "—")
            )
            print(
                f"| {name} | {audio} | {found.decision.method} | {found.decision.confidence:.3f} "
                f"| {right} | {der} | {separation_s:.1f} | {stage_s:.1f} |"
            )


if __name__ == "__main__":
    main()
