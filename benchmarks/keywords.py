"""Keyword recall on ASR output: the zh pack's keywords on the shared zh clips, by text and by
sound (toneless pinyin, services/text/pinyin.py).

Each clip of ``../shared/data/zh-clips`` is transcribed once with zhijian's own speech path
(the Whisper model of ``models/asr.py``, ``transcribe_parties``). For every keyword of every
keyword condition of ``rules/zh-service.yaml`` (with the pack's synonyms), a clip of the
condition's role whose reference text (``clips.tsv``) holds the keyword is a positive; then:

- recall: of the positives, how many the keyword is also found in on the ASR text;
- false hits: clips whose reference does not hold the keyword, but whose ASR text matches it;

each by text alone (phonetic off), by exact sound (``phonetic: true``), by sound with every
fuzzy pair, and as the pack is configured. Run it from the repository root (a few minutes on
2 cores, most of it transcription)::

    .venv/bin/python benchmarks/keywords.py [--asr-json FILE] [--pack rules/zh-service.yaml]

``--asr-json`` keeps the ASR texts in FILE: written after transcribing, read instead of
transcribing when FILE exists (to compare pack settings without transcribing again).
"""

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from services.scoring.rules import pack as pack_module  # noqa: E402
from services.scoring.rules.keywords import KeywordIndex  # noqa: E402
from services.scoring.rules.operators import KeywordParams  # noqa: E402
from services.text import pinyin  # noqa: E402
from services.text.normalise import normalise, word_edges  # noqa: E402

ZH_CLIPS = REPO_ROOT.parent / "shared" / "data" / "zh-clips"
PACK = REPO_ROOT / "rules" / "zh-service.yaml"
ALL_FUZZY = tuple(pinyin.FUZZY_PAIRS)
# The ways of matching compared: name → fuzzy pairs (None: by text alone); "pack" is added per
# keyword from its condition.
MODES: dict[str, tuple[str, ...] | None] = {"text": None, "sound": (), "fuzzy": ALL_FUZZY}


@dataclass
class Clip:
    """One clip: who speaks, what was said, what ASR heard."""

    file: str
    role: str
    reference: str
    heard: str = ""


@dataclass
class Keyword:
    """One term of a keyword condition, with its words and counts per mode."""

    rule: str
    role: str
    term: str
    words: list[str]
    pack_fuzzy: tuple[str, ...] | None
    positives: int = 0
    found: dict[str, int] = field(default_factory=dict)
    false_hits: dict[str, int] = field(default_factory=dict)


def read_clips() -> list[Clip]:
    """The clips of clips.tsv (file, role, text)."""
    rows = (ZH_CLIPS / "clips.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [Clip(*row.split("\t")[:3]) for row in rows if row.strip()]


def transcribe(clips: list[Clip]) -> None:
    """Fills in each clip's ASR text, with the speech stage's own transcription."""
    from models import asr
    from services.config import Settings
    from services.speech.audio import decode
    from services.speech.transcribe import Party, transcribe_parties

    settings = Settings()
    model = asr.load(asr.resolve(settings))
    for clip in clips:
        audio = decode(ZH_CLIPS / clip.file, max_duration_s=settings.max_recording_s)
        turns, _activity = transcribe_parties(
            model,
            [Party(clip.role, 0, audio.channels[0])],
            language="zh",
            beam_size=settings.asr_beam_size,
            pause_s=settings.turn_pause_s,
        )
        clip.heard = "".join(t.text for t in turns)


def pack_keywords(path: Path) -> list[Keyword]:
    """Every term of every keyword condition of a pack."""
    pack = pack_module.load(path)
    keywords = []
    for rule in pack.rules:
        for node in rule.when.walk():
            if node.op != "keyword":
                continue
            params = node.params
            assert isinstance(params, KeywordParams)
            for group in params.terms():
                words = [*group, *pack.spec.synonyms.get(group[0], [])]
                keywords.append(Keyword(rule.spec.id, params.role, group[0], words, params.sound))
    return keywords


def matches(words: list[str], text: str, fuzzy: tuple[str, ...] | None) -> bool:
    """Whether any of ``words`` is said in ``text``, as a keyword condition matches."""
    norm = normalise(text)
    edges = word_edges(norm)
    plain = KeywordIndex()
    for word in words:
        plain.add(word, word)
    if plain.find(norm, edges):
        return True
    if fuzzy is None:
        return False
    by_sound = KeywordIndex(lambda key: pinyin.sounds(key, fuzzy))
    for word in words:
        by_sound.add(word, word)
    return bool(by_sound.find(pinyin.sounds(norm, fuzzy), edges))


def count(keywords: list[Keyword], clips: list[Clip]) -> None:
    """Positives, recall and false hits of each keyword, in every mode."""
    for kw in keywords:
        modes = {**MODES, "pack": kw.pack_fuzzy}
        for clip in clips:
            if kw.role not in ("any", clip.role):
                continue
            said = matches(kw.words, clip.reference, None)
            kw.positives += said
            for mode, fuzzy in modes.items():
                heard = matches(kw.words, clip.heard, fuzzy)
                if said:
                    kw.found[mode] = kw.found.get(mode, 0) + heard
                else:
                    kw.false_hits[mode] = kw.false_hits.get(mode, 0) + heard


def report(keywords: list[Keyword], clips: list[Clip]) -> None:
    """Prints the ASR texts, then the counts per keyword, per rule and in all."""
    print("== ASR output (reference | heard)")
    for clip in clips:
        print(f"{clip.file:<36}{clip.reference} | {clip.heard}")
    modes = [*MODES, "pack"]
    head = "".join(f"{m:>7}" for m in modes)
    print(f"\n== per keyword (found on ASR of N positives; false hits): modes {', '.join(modes)}")
    print(f"{'rule':<24}{'keyword':<16}{'N':>3}{head} |{head}")
    for kw in keywords:
        if kw.positives or any(kw.false_hits.values()):
            found = "".join(f"{kw.found.get(m, 0):>7}" for m in modes)
            false = "".join(f"{kw.false_hits.get(m, 0):>7}" for m in modes)
            print(f"{kw.rule:<24}{kw.term:<16}{kw.positives:>3}{found} |{false}")
    positives = sum(kw.positives for kw in keywords)
    print(f"\n== all keywords: {positives} positives (keyword said in a clip of its role)")
    for m in modes:
        found = sum(kw.found.get(m, 0) for kw in keywords)
        false = sum(kw.false_hits.get(m, 0) for kw in keywords)
        print(f"{m:<7} recall {found}/{positives} = {found / positives:.1%}   false hits {false}")


def main() -> None:
    """Transcribes (or reads) the clips and prints the keyword figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asr-json", type=Path, help="keep / reuse the ASR texts in this file")
    parser.add_argument("--pack", type=Path, default=PACK, help="the pack (default: zh-service)")
    args = parser.parse_args()
    clips = read_clips()
    if args.asr_json is not None and args.asr_json.exists():
        heard = json.loads(args.asr_json.read_text(encoding="utf-8"))
        for clip in clips:
            clip.heard = heard[clip.file]
    else:
        transcribe(clips)
        if args.asr_json is not None:
            texts = {clip.file: clip.heard for clip in clips}
            args.asr_json.write_text(json.dumps(texts, ensure_ascii=False, indent=1))
    keywords = pack_keywords(args.pack)
    count(keywords, clips)
    report(keywords, clips)


if __name__ == "__main__":
    main()
