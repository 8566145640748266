"""ASR benchmark: accuracy, speed and memory of zhijian's transcription path.

What it measures, on the CPU of the machine it runs on:

1. zh-real (20 FLEURS Mandarin utterances in ``../shared/data/zh-real``): character error rate
   (corpus-level and mean per utterance, Simplified characters, punctuation removed) of
   zhijian's own ``transcribe_parties`` pipeline, and of plain faster-whisper on the same
   files for comparison (reference point: Whisper base int8, beam 5, VAD on, 14–15 % CER),
   with audio seconds, processing seconds and real-time factor (processing / audio).
2. Five two-channel Mandarin calls (agent: the zh-clips voice; customer: zh-clips and FLEURS
   speakers, answering within a breath): plain faster-whisper per channel (its defaults: beam 5,
   VAD on, its own thread count, one channel after the other) against zhijian's
   ``transcribe_parties``, each without and with the zh pack's keywords as hotwords: seconds,
   CPU seconds, CER per role and the speed-up (goal: ≥ 1.5× at a CER within +0.5 points).
3. A ~5-minute two-channel English call built with espeak-ng (the test script of
   ``tests.synth.english_call`` repeated, agent left, customer right): the full path
   decode → ``parties`` → ``transcribe_parties``, timed, with turn count and WER per role
   (reference point: real-time factor about 0.08–0.12 on 2 cores).
4. An announcement on a loop (a zh-clips prompt said 12 times, about a minute): its main
   decode with faster-whisper's full temperature fallback and with zhijian's, capped where
   the text repeats a sentence (``models/fallback.py``).
5. Model load time and the process's peak resident memory after each part.

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
from services.scoring.service import keyword_terms  # noqa: E402
from services.speech.audio import SAMPLE_RATE, decode  # noqa: E402
from services.speech.hotwords import hotwords  # noqa: E402
from services.speech.service import parties  # noqa: E402
from services.speech.transcribe import Party, recognise, transcribe_parties  # noqa: E402
from services.text.normalise import simplified  # noqa: E402
from tests.helpers import _NOT_HAN_OR_ALNUM, cer_zh, wer  # noqa: E402
from tests.speech.mono_calls import build  # noqa: E402
from tests.synth import Line, english_call, mix, write_wav, zh_clip  # noqa: E402

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

ZH_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "zh-real"
LONG_CALL_S = 300.0
# Silence between two repetitions of the English test call.
REPEAT_GAP_S = 1.0
PLAIN_BEAM_SIZE = 5
SPEED_GOAL = 1.5
CER_MARGIN = 0.005
# Five calls of five agent lines and eight customer lines: every zh-clips agent clip once, the
# zh-clips customer clips and the FLEURS speakers taking turns as the customer.
CALL_SHAPE = "ACACCACCACCAC"


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


def load_plain(settings: Settings) -> "WhisperModel":
    """The same model files as faster-whisper loads them by default (its own thread count)."""
    from faster_whisper import WhisperModel

    spec = asr.resolve(settings)
    return WhisperModel(
        str(spec.path), device=spec.device, compute_type=spec.compute_type, local_files_only=True
    )


def read_zh_real() -> list[tuple[str, str]]:
    """(file, reference) rows of zh-real's transcripts.tsv."""
    rows = (ZH_REAL / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    pairs = []
    for row in rows[1:]:
        if row.strip():
            file, reference = row.split("\t")[:2]
            pairs.append((file, reference))
    return pairs


def bench_zh_real(model: "WhisperModel", plain: "WhisperModel", settings: Settings) -> None:
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
            segments, _info = plain.transcribe(
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


def mandarin_calls() -> list[list[Line]]:
    """The five two-channel Mandarin calls (see ``CALL_SHAPE``), their pauses fixed."""
    rows = (ZH_REAL.parent / "zh-clips" / "clips.tsv").read_text(encoding="utf-8").splitlines()
    clips = [r.split("\t")[:2] for r in rows[1:] if r.strip()]
    agent = [f[:-4] for f, role in clips if role == "agent"]
    customer = [f[:-4] for f, role in clips if role == "customer"]
    fleurs = [f[:-4] for f, _ in read_zh_real()]
    customer = [c for pair in zip(customer, fleurs, strict=False) for c in pair]
    calls = []
    for k in range(5):
        agents, customers = iter(agent[5 * k : 5 * k + 5]), iter(customer[8 * k : 8 * k + 8])
        script = [
            ("agent", next(agents), 0.2 + 0.1 * (n % 6))
            if shape == "A"
            else ("customer", next(customers), 0.2 + 0.1 * ((n + 3) % 6))
            for n, shape in enumerate(CALL_SHAPE)
        ]
        calls.append(build(script))
    return calls


@dataclass
class Run:
    """One recogniser over all the calls: seconds, CPU seconds and the text per call and role."""

    label: str
    wall_s: float
    cpu_s: float
    texts: list[dict[str, str]]


def run_calls(label: str, calls: list[Any], recognise: Any) -> Run:
    """Times ``recognise(stereo audio) -> {role: text}`` over every call."""
    begin_wall, begin_cpu = time.perf_counter(), time.process_time()
    texts = [recognise(audio) for _, audio in calls]
    return Run(label, time.perf_counter() - begin_wall, time.process_time() - begin_cpu, texts)


def bench_stereo_calls(model: "WhisperModel", plain: "WhisperModel", settings: Settings) -> None:
    """Part 2: plain faster-whisper per channel against zhijian on the same stereo calls."""
    print("\n== 2. two-channel Mandarin calls: plain faster-whisper per channel and zhijian")
    calls = [(lines, mix(lines)) for lines in mandarin_calls()]
    audio_s = sum(audio.shape[1] for _, audio in calls) / SAMPLE_RATE
    terms = keyword_terms(rules_dir=settings.rules_dir, language="zh")
    roles = ("agent", "customer")

    def plain_per_channel(words: str | None) -> Any:
        def recognise(audio: Any) -> dict[str, str]:
            texts = {}
            for channel, role in enumerate(roles):
                segments, _ = plain.transcribe(
                    audio[channel],
                    language="zh",
                    beam_size=PLAIN_BEAM_SIZE,
                    vad_filter=True,
                    hotwords=words,
                )
                texts[role] = simplified("".join(s.text for s in segments))
            return texts

        return recognise

    def zhijian(words: str | None) -> Any:
        def recognise(audio: Any) -> dict[str, str]:
            turns, _ = transcribe_parties(
                model,
                [Party(role, channel, audio[channel]) for channel, role in enumerate(roles)],
                language="zh",
                beam_size=settings.asr_beam_size,
                pause_s=settings.turn_pause_s,
                hotwords=words,
            )
            return {role: "".join(t.text for t in turns if t.role == role) for role in roles}

        return recognise

    print(
        f"{len(calls)} calls, {audio_s:.0f} s of audio; zhijian: beam {settings.asr_beam_size}, "
        f"{settings.asr_cpu_threads or 'auto'} thread(s) a party"
    )
    print(
        f"{'':<34}{'wall s':>8}{'CPU s':>8}{'RTF':>7}{'CER':>8}{'agent':>8}{'customer':>10}"
        f"{'speed-up':>10}"
    )
    for hot in (0, settings.asr_hotwords_max_chars):
        words = hotwords(terms, language="zh", max_chars=hot) if hot else None
        runs = [
            run_calls(f"plain per channel, hotwords {hot}", calls, plain_per_channel(words)),
            run_calls(f"zhijian, hotwords {hot}", calls, zhijian(words)),
        ]
        cers = []
        for run in runs:
            per_role = {
                role: corpus_cer(
                    ["".join(ln.text for ln in lines if ln.role == role) for lines, _ in calls],
                    [texts[role] for texts in run.texts],
                )
                for role in roles
            }
            every = corpus_cer(
                [
                    "".join(ln.text for ln in lines if ln.role == r)
                    for lines, _ in calls
                    for r in roles
                ],
                [texts[r] for texts in run.texts for r in roles],
            )
            cers.append(every)
            print(
                f"{run.label:<34}{run.wall_s:>8.1f}{run.cpu_s:>8.1f}{run.wall_s / audio_s:>7.3f}"
                f"{every:>8.1%}{per_role['agent']:>8.1%}{per_role['customer']:>10.1%}"
                f"{runs[0].wall_s / run.wall_s:>9.2f}×"
            )
        speed_up = runs[0].wall_s / runs[1].wall_s
        met = speed_up >= SPEED_GOAL and cers[1] <= cers[0] + CER_MARGIN
        print(
            f"goal ≥ {SPEED_GOAL}× at a CER within +{CER_MARGIN:.1%}: "
            f"{'met' if met else 'NOT met'} ({speed_up:.2f}×, {cers[1] - cers[0]:+.1%})"
        )
    print(f"peak RSS         {peak_rss_mib():.0f} MiB (after the Mandarin calls)")


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
    """Part 3: the full decode → parties → transcribe path on a ~5-minute stereo call."""
    print(f"\n== 3. ~{LONG_CALL_S / 60:.0f}-minute two-channel English call (espeak-ng)")
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


def bench_announcement_loop(model: "WhisperModel", settings: Settings) -> None:
    """Part 4: a looped announcement decoded with the full fallback and with the capped one."""
    import numpy as np
    from faster_whisper import WhisperModel

    spec = asr.resolve(settings)
    uncapped = WhisperModel(  # the same model and threads, faster-whisper's own fallback
        str(spec.path),
        device=spec.device,
        compute_type=spec.compute_type,
        cpu_threads=spec.cpu_threads,
        local_files_only=True,
    )

    print("\n== 4. an announcement on a loop (zh-clips agent_recording_notice, 12 times)")
    _text, prompt = zh_clip("agent_recording_notice")
    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    loop = np.concatenate([part for _ in range(12) for part in (prompt, gap)])
    for label, whisper in (
        ("full fallback (faster-whisper)", uncapped),
        ("capped (zhijian)", model),
    ):
        with stopwatch() as elapsed:
            words = recognise(whisper, loop, language="zh", beam_size=PLAIN_BEAM_SIZE)
        heard = "".join(w.text for w in words)
        print(f"{label:<32}{elapsed[0]:>7.1f} s  {len(heard)} characters: {heard[:40]}…")


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
    plain = load_plain(settings)
    bench_zh_real(model, plain, settings)
    bench_stereo_calls(model, plain, settings)
    if not args.skip_long:
        bench_long_call(model, settings)
    bench_announcement_loop(model, settings)


if __name__ == "__main__":
    main()
