"""Hotword benchmark: CER and keyword recall on ``../shared/data/zh-clips`` with and without.

Each clip is transcribed by zhijian's ``transcribe_parties`` once per hotword length (0 is
without hotwords). Keyword recall counts, over all clips, the zh packs' keyword terms found in a
clip's reference text and how many of them are also in the transcript. Run it from the
repository root::

    .venv/bin/python benchmarks/hotwords.py [--lengths 0 60 120] [--beam-size 5]
"""

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.asr import corpus_cer, normalise_zh  # noqa: E402
from models import asr  # noqa: E402
from services.config import Settings  # noqa: E402
from services.scoring.service import keyword_terms  # noqa: E402
from services.speech.audio import decode  # noqa: E402
from services.speech.hotwords import hotwords  # noqa: E402
from services.speech.transcribe import Party, transcribe_parties  # noqa: E402

ZH_CLIPS = REPO_ROOT.parent / "shared" / "data" / "zh-clips"


def read_clips() -> list[tuple[str, str]]:
    """(file, reference) rows of zh-clips' clips.tsv."""
    rows = (ZH_CLIPS / "clips.tsv").read_text(encoding="utf-8").splitlines()
    return [(r.split("\t")[0], r.split("\t")[2]) for r in rows[1:] if r.strip()]


def keyword_recall(terms: list[str], references: list[str], hypotheses: list[str]) -> str:
    """Found / expected keyword terms over all clips, as text."""
    expected = found = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = normalise_zh(reference), normalise_zh(hypothesis)
        for term in terms:
            if normalise_zh(term) and normalise_zh(term) in ref:
                expected += 1
                found += normalise_zh(term) in hyp
    return f"{found}/{expected} = {found / max(expected, 1):.1%}"


def main() -> None:
    """Transcribes every clip at each hotword length and prints CER and keyword recall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[0, 60, 120])
    parser.add_argument("--beam-size", type=int, default=5)
    args = parser.parse_args()
    settings = Settings(asr_beam_size=args.beam_size)
    model = asr.load(asr.resolve(settings))
    clips = read_clips()
    audio = [decode(ZH_CLIPS / f, max_duration_s=60).channels[0] for f, _ in clips]
    references = [r for _, r in clips]
    terms = keyword_terms(rules_dir=settings.rules_dir, language="zh")
    print(f"zh-clips: {len(clips)} clips, {len(terms)} zh pack terms, beam {args.beam_size}")
    print(f"{'hotword chars':>14}{'CER corpus':>12}{'proc s':>8}  keyword recall")
    for length in args.lengths:
        words = hotwords(terms, language="zh", max_chars=length)
        begin = time.perf_counter()
        hypotheses = []
        for samples in audio:
            turns, _ = transcribe_parties(
                model,
                [Party("unknown", 0, samples)],
                language="zh",
                beam_size=args.beam_size,
                pause_s=settings.turn_pause_s,
                hotwords=words,
            )
            hypotheses.append("".join(t.text for t in turns))
        elapsed = time.perf_counter() - begin
        print(
            f"{length:>14}{corpus_cer(references, hypotheses):>12.1%}{elapsed:>8.1f}  "
            f"{keyword_recall(terms, references, hypotheses)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
