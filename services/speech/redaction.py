"""PII redaction of transcripts: mobile numbers, ID-card numbers, bank cards, e-mail addresses
and street addresses are replaced by typed masks, keeping their time spans.

ASR reads numbers out as Arabic digits, Chinese numerals (一三八…, 幺) or a mix, and often gets a
digit or two wrong (an ID-card number that fails its checksum). So a number is judged by its
length and by the words before it (手机, 身份证, 卡号, card …); a valid checksum (ID card) or
Luhn digit (bank card) only makes a bare number without context count. Short numbers (amounts,
dates, 三到五个工作日) are never masked.
"""

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from services.speech.transcribe import Word

_DIGIT = {**{str(i): str(i) for i in range(10)}, "零": "0", "〇": "0", "一": "1", "幺": "1",
          "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8",
          "九": "9", "x": "x", "X": "x"}  # fmt: skip
_JOINERS = " -,"  # 138 1234 5678, 415-555-0134, and Whisper's 4,111,111,111,111,111
MAX_JOINERS = 3  # between two groups of one number: "415, 555, 0134", "415 - 555"
_CONTEXT_CHARS = 24  # how far before a number its context words may be
# Words that only say "a number follows": a phone number unless a more specific word is there.
_GENERIC = ("号码", "number")
_CONTEXT = {
    "PHONE": ("手机", "电话", "联系方式", "打给我", "来电", "phone", "mobile", "call me",
              "reach me", *_GENERIC),
    "ID_CARD": ("身份证", "证件", "身份号", "id card", "id number", "passport", "social security"),
    "BANK_CARD": ("卡号", "银行卡", "信用卡", "账号", "帐号", "储蓄卡", "card", "account"),
}  # fmt: skip
_EMAIL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w.]+ at [\w-]+ dot (?:com|net|org|cn|edu|gov|io)\b", re.I
)
_ZH_NUM = "0-9零〇一二三四五六七八九十百两"
# A place-name character: Chinese, but not the words that introduce an address (地址是, 住在 …).
_PLACE = r"(?:(?![的是在址住我你他她送寄到])[\u4e00-\u9fff])"
_ADDRESS_ZH = re.compile(
    rf"(?:{_PLACE}{{2,6}}(?:省|市|自治区))?(?:{_PLACE}{{1,6}}(?:市|区|县|镇|乡))*"
    rf"{_PLACE}{{1,8}}(?:路|街|大道|巷|胡同|里)[{_ZH_NUM}]+号"
    rf"(?:[{_ZH_NUM}]+(?:栋|幢|座|单元|楼|层|室|号))*"
)
_ADDRESS_EN = re.compile(
    r"\b\d{1,5}\s+(?:[a-z]+\s){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way)\b",
    re.I,
)


@dataclass(frozen=True)
class Span:
    """A stretch of text to mask, in character offsets."""

    kind: str
    start: int
    end: int


def _id_checksum_ok(digits: str) -> bool:
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10x98765432"[sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11]
    return digits[17].lower() == check


def _luhn_ok(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _number_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each run of digits or Chinese numerals (spaces, hyphens and
    commas inside: up to ``MAX_JOINERS`` between two groups)."""
    runs, i = [], 0
    while i < len(text):
        if text[i] in _DIGIT and text[i] not in "xX":
            start, digits, j = i, [], i
            while j < len(text):
                if text[j] in _DIGIT:
                    digits.append(_DIGIT[text[j]])
                    j += 1
                    continue
                k = j
                while k < len(text) and k - j < MAX_JOINERS and text[k] in _JOINERS:
                    k += 1
                if k == j or k == len(text) or text[k] not in _DIGIT:
                    break
                j = k
            runs.append((start, j, "".join(digits)))
            i = j
        else:
            i += 1
    return runs


def _context(text: str, start: int) -> str | None:
    before = text[max(0, start - _CONTEXT_CHARS) : start].lower()
    found = [
        (word not in _GENERIC, before.rfind(word), kind)
        for kind, words in _CONTEXT.items()
        for word in words
        if word in before
    ]
    return max(found)[2] if found else None


def _classify(text: str, start: int, digits: str) -> str | None:
    n, context = len(digits), _context(text, start)
    if context == "PHONE" and 5 <= n <= 15:  # ASR drops digits of numbers read out
        return "PHONE"
    if context == "ID_CARD" and (n >= 15 or 4 <= n <= 6):
        return "ID_CARD"
    if context == "BANK_CARD" and (n >= 12 or 4 <= n <= 6):
        return "BANK_CARD"
    if context and n >= 11:
        return context
    if n == 11 and digits.startswith("1") and digits[1] in "3456789":
        return "PHONE"
    if n == 18 and _id_checksum_ok(digits):
        return "ID_CARD"
    if 15 <= n <= 19 and _luhn_ok(digits):
        return "BANK_CARD"
    if n >= 15:  # a long number with no context: still not something to leave in a transcript
        return "BANK_CARD" if n != 18 else "ID_CARD"
    return None


def find(text: str) -> list[Span]:
    """Every stretch of ``text`` to mask, without overlaps."""
    spans = [Span("EMAIL", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    spans += [Span("ADDRESS", m.start(), m.end()) for m in _ADDRESS_ZH.finditer(text)]
    spans += [Span("ADDRESS", m.start(), m.end()) for m in _ADDRESS_EN.finditer(text)]
    for start, end, digits in _number_runs(text):
        kind = _classify(text, start, digits)
        if kind:
            spans.append(Span(kind, start, end))
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if not chosen or span.start >= chosen[-1].end:
            chosen.append(span)
    return chosen


def redact_words(words: list["Word"]) -> tuple[list["Word"], list[dict[str, float | str]]]:
    """Masks PII in a turn's words; returns the new words and each mask's type and time span.

    A mask replaces the words it covers with one word ``[TYPE]`` spanning their time, keeping
    any text of the first and last word that lies outside the PII.
    """
    from services.speech.transcribe import Word

    joined = "".join(w.text for w in words)
    owner = [i for i, w in enumerate(words) for _ in w.text]
    offsets = list(itertools.accumulate((len(w.text) for w in words[:-1]), initial=0))
    out = list(words)
    masks: list[dict[str, float | str]] = []
    for span in reversed(find(joined)):
        first, last = owner[span.start], owner[span.end - 1]
        prefix = words[first].text[: span.start - offsets[first]]
        suffix = words[last].text[span.end - offsets[last] :]
        covered = words[first : last + 1]
        mask = Word(
            f"{prefix}[{span.kind}]{suffix}",
            covered[0].start,
            covered[-1].end,
            min(w.probability for w in covered),
        )
        out[first : last + 1] = [mask]
        masks.append({"type": span.kind, "start": round(mask.start, 3), "end": round(mask.end, 3)})
    return out, masks[::-1]


def bleep(
    samples: "np.ndarray", spans: list[tuple[float, float]], sample_rate: int
) -> "np.ndarray":
    """A copy of one channel with each span replaced by a 1 kHz tone (a little wider each side)."""
    import numpy as np

    out = samples.copy()
    for start, end in spans:
        a = max(0, int((start - 0.1) * sample_rate))
        b = min(len(out), int((end + 0.1) * sample_rate))
        t = np.arange(b - a) / sample_rate
        out[a:b] = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(out.dtype)
    return out
