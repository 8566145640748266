"""ASR benchmark: accuracy, speed and memory of zhijian's transcription path.

What it measures, on the CPU of the machine it runs on:

1. zh-real (20 FLEURS Mandarin utterances in ``../shared/data/zh-real``): character error rate
   (corpus-level and mean per utterance, Simplified characters, punctuation removed) of
   zhijian's own ``transcribe_parties`` pipeline, and of plain faster-whisper on the same
   files for comparison (reference point: Whisper base int8, beam 5, VAD on, 14–15 % CER),
   with audio seconds, processing seconds and real-time factor (processing / audio).
2. A ~5-minute two-channel English call built with espeak-ng (the test script of
   ``tests.synth.english_call`` repeated, agent left, customer right): the full path
   decode → ``parties`` → ``transcribe_parties``, timed, with turn count and WER per role
   (reference point: real-time factor about 0.08–0.12 on 2 cores).
3. Model load time and the process's peak resident memory after each part.

Run it from the repository root (it takes a few minutes on 2 cores)::

    .venv/bin/python benchmarks/asr.py [--model base] [--beam-size 5] [--threads N] [--skip-long]
"""

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jiwer

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # for tests.helpers and tests.synth

from benchmarks.machine import describe as describe_machine  # noqa: E402
from models import asr  # noqa: E402
from services.config import Settings  # noqa: E402
from services.speech.audio import SAMPLE_RATE, decode  # noqa: E402
from services.speech.service import parties  # noqa: E402
from services.speech.transcribe import Party, transcribe_parties  # noqa: E402
from services.text.normalise import simplified  # noqa: E402
from tests.helpers import _NOT_HAN_OR_ALNUM, cer_zh, wer  # noqa: E402
from tests.synth import Line, english_call, mix, write_wav  # noqa: E402

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

ZH_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "zh-real"
LONG_CALL_S = 300.0
# Silence between two repetitions of the English test call.
REPEAT_GAP_S = 1.0
PLAIN_BEAM_SIZE = 5


@dataclass
class Utterance:
    """One zh-real file, its reference and what each recogniser made of it."""

    file: str
    reference: str
    duration_s: float
    pipeline: str = ""
    plain: str = ""


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a one-element list that holds the elapsed seconds once the block ends."""
    elapsed = [0.0]
    begin = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.perf_counter() - begin


def normalise_zh(text: str) -> str:
    """Simplified characters without punctuation or spaces, exactly as ``cer_zh`` compares."""
    return _NOT_HAN_OR_ALNUM.sub("", simplified(text))


def corpus_cer(references: list[str], hypotheses: list[str]) -> float:
    """Total edit distance over total reference characters, after ``normalise_zh``."""
    return float(
        jiwer.cer([normalise_zh(r) for r in references], [normalise_zh(h) for h in hypotheses])
    )


def build_settings(args: argparse.Namespace) -> Settings:
    """Environment settings with the model, beam size and thread count from the command line.

    Keyword arguments take precedence over ``ZHIJIAN_*`` variables and are validated.
    """
    overrides: dict[str, Any] = {"asr_model": args.model, "asr_beam_size": args.beam_size}
    if args.threads is not None:
        overrides["asr_cpu_threads"] = args.threads
    return Settings(**overrides)


def load_model(settings: Settings) -> "WhisperModel":
    """Loads the configured model, printing how long it took."""
    with stopwatch() as elapsed:
        model = asr.load(asr.resolve(settings))
    print(describe_machine())
    print(
        f"model            {settings.asr_model} ({settings.asr_compute_type}, "
        f"{settings.asr_device}, cpu_threads={settings.asr_cpu_threads or 'auto'})"
    )
    print(f"load time        {elapsed[0]:.2f} s")
    print(f"peak RSS         {peak_rss_mib():.0f} MiB (after model load)")
    return model


def read_zh_real() -> list[tuple[str, str]]:
    """(file, reference) rows of zh-real's transcripts.tsv."""
    rows = (ZH_REAL / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    pairs = []
    for row in rows[1:]:
        if row.strip():
            file, reference = row.split("\t")[:2]
            pairs.append((file, reference))
    return pairs


def bench_zh_real(model: "WhisperModel", settings: Settings) -> None:
    """Part 1: CER and speed of the pipeline and of plain faster-whisper on zh-real."""
    print(f"\n== 1. zh-real: {ZH_REAL}")
    utterances: list[Utterance] = []
    pipeline_s = plain_s = 0.0
    for file, reference in read_zh_real():
        path = ZH_REAL / file
        with stopwatch() as elapsed:
            audio = decode(path, max_duration_s=settings.max_recording_s)
            turns, _activity = transcribe_parties(
                model,
                [Party("unknown", 0, audio.channels[0])],
                language="zh",
                beam_size=settings.asr_beam_size,
                pause_s=settings.turn_pause_s,
            )
        pipeline_s += elapsed[0]
        utt = Utterance(file, reference, audio.duration_s)
        utt.pipeline = "".join(t.text for t in turns)
        with stopwatch() as elapsed:
            segments, _info = model.transcribe(
                str(path), language="zh", beam_size=PLAIN_BEAM_SIZE, vad_filter=True
            )
            utt.plain = simplified("".join(s.text for s in segments))
        plain_s += elapsed[0]
        utterances.append(utt)

    print(f"{'file':<20}{'dur s':>7}{'pipe CER':>10}{'plain CER':>11}  pipeline | plain")
    for u in utterances:
        print(
            f"{u.file:<20}{u.duration_s:>7.1f}{cer_zh(u.reference, u.pipeline):>10.1%}"
            f"{cer_zh(u.reference, u.plain):>11.1%}  {u.pipeline} | {u.plain}"
        )
    audio_s = sum(u.duration_s for u in utterances)
    refs = [u.reference for u in utterances]
    print()
    print(f"{'':<40}{'CER corpus':>11}{'CER mean':>10}{'audio s':>9}{'proc s':>8}{'RTF':>7}")
    for label, hyps, proc_s, beam in (
        (
            "zhijian transcribe_parties",
            [u.pipeline for u in utterances],
            pipeline_s,
            settings.asr_beam_size,
        ),
        ("plain faster-whisper (VAD on)", [u.plain for u in utterances], plain_s, PLAIN_BEAM_SIZE),
    ):
        mean = sum(cer_zh(r, h) for r, h in zip(refs, hyps, strict=True)) / len(refs)
        print(
            f"{label + f', beam {beam}':<40}{corpus_cer(refs, hyps):>11.1%}{mean:>10.1%}"
            f"{audio_s:>9.1f}{proc_s:>8.1f}{proc_s / audio_s:>7.3f}"
        )
    print("reference point: plain faster-whisper base int8, beam 5, VAD on: 14–15 % CER")
    print(f"peak RSS         {peak_rss_mib():.0f} MiB (after zh-real)")


def long_call_lines(target_s: float) -> list[Line]:
    """The English test call repeated back to back until it lasts about ``target_s``."""
    once = english_call()
    period = max(ln.at + len(ln.samples) / SAMPLE_RATE for ln in once) + REPEAT_GAP_S
    repeats = max(1, round(target_s / period))
    return [
        Line(ln.role, ln.text, ln.at + k * period, ln.samples)
        for k in range(repeats)
        for ln in once
    ]


def bench_long_call(model: "WhisperModel", settings: Settings) -> None:
    """Part 2: the full decode → parties → transcribe path on a ~5-minute stereo call."""
    print(f"\n== 2. ~{LONG_CALL_S / 60:.0f}-minute two-channel English call (espeak-ng)")
    lines = long_call_lines(LONG_CALL_S)
    with tempfile.TemporaryDirectory(prefix="zhijian-bench-") as tmp:
        path = write_wav(Path(tmp) / "call.wav", mix(lines))
        with stopwatch() as elapsed:
            audio = decode(path, max_duration_s=settings.max_recording_s)
            turns, _activity = transcribe_parties(
                model,
                parties(audio, None),
                language=settings.asr_language,
                beam_size=settings.asr_beam_size,
                pause_s=settings.turn_pause_s,
            )
    proc_s = elapsed[0]
    print(
        f"audio            {audio.duration_s:.1f} s, {audio.channels.shape[0]} channels, "
        f"{len(lines)} script lines"
    )
    print(
        f"language         {settings.asr_language or 'detected per channel'}, "
        f"beam {settings.asr_beam_size}"
    )
    print(f"processing       {proc_s:.1f} s")
    print(
        f"real-time factor {proc_s / audio.duration_s:.3f} "
        "(reference point: 0.08–0.12 on call audio on 2 cores)"
    )
    print(f"turns            {len(turns)}")
    for role in ("agent", "customer"):
        reference = " ".join(ln.text for ln in lines if ln.role == role)
        hypothesis = " ".join(t.text for t in turns if t.role == role)
        count = sum(1 for t in turns if t.role == role)
        print(f"WER {role:<12} {wer(reference, hypothesis):.1%} ({count} turns)")
    print(f"peak RSS         {peak_rss_mib():.0f} MiB (after long call)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base", help="'base' or a CTranslate2 model dir")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="CTranslate2 CPU threads")
    parser.add_argument("--skip-long", action="store_true", help="skip the 5-minute call")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Runs the benchmark parts and prints their results."""
    args = parse_args(argv)
    settings = build_settings(args)
    print(f"== zhijian ASR benchmark ({time.strftime('%Y-%m-%d %H:%M:%S')})")
    model = load_model(settings)
    bench_zh_real(model, settings)
    if not args.skip_long:
        bench_long_call(model, settings)


if __name__ == "__main__":
    main()
