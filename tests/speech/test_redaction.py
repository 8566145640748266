"""PII masking on the text ASR really produces: digits, Chinese numerals, wrong digits."""

import numpy as np
import pytest

from services.speech.redaction import bleep, find, redact_words
from services.speech.transcribe import Word


def _masked(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in find(text)]


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("我的手机号是13812345678", "PHONE", "13812345678"),
        ("我的手机号是一三八一二三四五六七八", "PHONE", "一三八一二三四五六七八"),
        ("电话是幺三八 一二三四 五六七八", "PHONE", "幺三八 一二三四 五六七八"),
        # Whisper got two digits wrong: the checksum fails, the context still says ID card.
        ("我的身份证后码是440414198506151237", "ID_CARD", "440414198506151237"),
        (
            "我的身份证号码是四四零三零四一九八五零六一五一二三七",
            "ID_CARD",
            "四四零三零四一九八五零六一五一二三七",
        ),
        ("我的银行卡号是6222212345678910128", "BANK_CARD", "6222212345678910128"),
        ("卡号后四位是0128", "BANK_CARD", "0128"),
        ("440304198506151237", "ID_CARD", "440304198506151237"),  # no context: valid checksum
        ("My card number is 4111 1111 1111 1111.", "BANK_CARD", "4111 1111 1111 1111"),
        ("Call me on 415-555-0134.", "PHONE", "415-555-0134"),
        ("Sure, my phone number is 450134.", "PHONE", "450134"),  # digits lost by ASR
        (
            "And my card number is 4,111,111,111,111,111,111.",
            "BANK_CARD",
            "4,111,111,111,111,111,111",
        ),
        ("It is anna.lee@example.com, thanks", "EMAIL", "anna.lee@example.com"),
        ("send it to anna at example dot com", "EMAIL", "anna at example dot com"),
        ("我的地址是北京市朝阳区建国路88号", "ADDRESS", "北京市朝阳区建国路88号"),
        (
            "住在上海市浦东新区世纪大道100号3栋502室",
            "ADDRESS",
            "上海市浦东新区世纪大道100号3栋502室",
        ),
        ("I live at 12 Market Street", "ADDRESS", "12 Market Street"),
    ],
)
def test_personal_data_is_found_in_the_forms_asr_writes(text, kind, number):
    assert _masked(text) == [(kind, number)]


@pytest.mark.parametrize(
    "text",
    [
        "您的退款已经提交,预计三到五个工作日到账。",
        "您的话费余额是58元3角。",
        "24小时内会有专员回电",
        "2026年11月25日下午3点",
        "订单号是20261125",
        "Your balance is $420.50 and it takes three to five working days.",
        "The fee is 1,200 yuan, paid on 2026-11-25.",
        "我的地址是北京市朝阳区",  # a district alone is not an address
    ],
)
def test_ordinary_numbers_and_places_are_left_alone(text):
    assert _masked(text) == []


def test_masking_words_keeps_the_time_span_and_the_surrounding_text():
    words = [
        Word(t, i * 0.2, i * 0.2 + 0.2, 0.9)
        for i, t in enumerate(["我的", "手", "机", "号", "是", "13", "8", "12", "34", "56", "78。"])
    ]

    out, masks = redact_words(words)

    assert "".join(w.text for w in out) == "我的手机号是[PHONE]。"
    assert masks == [{"type": "PHONE", "start": 1.0, "end": 2.2}]
    assert out[-1].start == 1.0 and out[-1].end == pytest.approx(2.2)


def test_bleeping_replaces_only_the_span_with_a_tone():
    rate = 16000
    speech = np.full(rate * 3, 0.5, dtype=np.float32)

    out = bleep(speech, [(1.0, 2.0)], rate)

    assert np.all(out[: int(0.8 * rate)] == 0.5) and np.all(out[int(2.2 * rate) :] == 0.5)
    middle = out[int(1.0 * rate) : int(2.0 * rate)]
    assert np.abs(middle).max() == pytest.approx(0.1, abs=0.01) and not np.any(middle == 0.5)
