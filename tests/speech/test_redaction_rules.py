"""How redaction decides, at each rule's limits: the lengths each context word admits, how far
before a number a context word counts, what a checksum or Luhn digit changes for a bare number,
where a number ends, which of two overlapping stretches wins, and the bleep itself."""

import numpy as np
import pytest

from services.speech.redaction import bleep, find, redact_words
from services.speech.transcribe import Word


def _masked(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in find(text)]


def _bare(number: str) -> list[tuple[str, str]]:
    """``number`` said with no word around it that names it."""
    return [kind for kind, _ in _masked(f"好的，{number}，记下了")]


# 18 digits, none of them 0, so that every digit weighs in the checksum (found by search).
VALID_ID_AND_LUHN = ["271396383998824899", "934941423487662658", "848735276369137146"]
LUHN_ONLY = ["727741551437213485", "775488367896247153", "911479327958721455"]
NEITHER = ["898894398328532917", "128579256495122725", "721144187772456256"]


@pytest.mark.parametrize("number", VALID_ID_AND_LUHN)
def test_a_bare_18_digit_number_with_a_valid_id_checksum_is_an_id_card(number):
    assert _bare(number) == ["ID_CARD"]


@pytest.mark.parametrize("number", LUHN_ONLY)
def test_a_bare_18_digit_number_with_only_a_luhn_digit_is_a_bank_card(number):
    assert _bare(number) == ["BANK_CARD"]


@pytest.mark.parametrize("number", NEITHER)
def test_a_bare_18_digit_number_with_neither_is_taken_for_a_misheard_id_card(number):
    assert _bare(number) == ["ID_CARD"]


@pytest.mark.parametrize(
    ("number", "kinds"),
    [
        ("4403041985061512X7", ["ID_CARD"]),  # an X misplaced by ASR: no checksum to compute
        ("612363297779396", ["BANK_CARD"]),  # 15 digits, no Luhn digit: still masked
        ("9784699281594241", ["BANK_CARD"]),  # 16
        ("12345678901237", []),  # 14 digits, Luhn digit valid: an order number, not a card
        ("12345678901234", []),  # 14 digits, Luhn digit invalid
    ],
)
def test_a_long_bare_number_is_masked_from_15_digits(number, kinds):
    assert _bare(number) == kinds


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话是45013", [("PHONE", "45013")]),  # ASR dropped digits: five still count
        ("我的电话是4501", []),
        ("身份证后四位是1237", [("ID_CARD", "1237")]),
        ("身份证后六位是151237", [("ID_CARD", "151237")]),
        ("身份证是123", []),
        ("身份证是1512370", []),
        ("身份证号是44030419850", [("ID_CARD", "44030419850")]),  # 11 digits, no mobile
        ("身份证号是4403041985", []),  # 10
        ("卡号后四位是0128", [("BANK_CARD", "0128")]),
        ("卡号后六位是910128", [("BANK_CARD", "910128")]),
        ("卡号是128", []),
        ("卡号是8910128", []),
        ("卡号是62222123456", [("BANK_CARD", "62222123456")]),  # 11 digits
    ],
)
def test_each_context_word_admits_its_lengths(text, masked):
    assert _masked(text) == masked


def test_a_context_word_counts_up_to_24_characters_before_the_number():
    assert _masked("电话45013") == [("PHONE", "45013")]  # at the very start of the text
    assert _masked("手机" + "啊" * 22 + "45013") == [("PHONE", "45013")]
    assert _masked("手机" + "啊" * 23 + "45013") == []


def test_a_specific_context_word_wins_over_a_generic_one_and_a_later_over_an_earlier():
    assert _masked("银行卡号码是0128") == [("BANK_CARD", "0128")]
    assert _masked("不是身份证，是手机45013") == [("PHONE", "45013")]


def test_a_number_ends_at_its_last_digit():
    assert _masked("电话13812345678 好的") == [("PHONE", "13812345678")]
    assert _masked("电话13812345678-") == [("PHONE", "13812345678")]
    assert _masked("电话13812345678 ") == [("PHONE", "13812345678")]
    # A last group of one digit still belongs to the number, at the end of the text or not.
    assert _masked("电话1381234567 8") == [("PHONE", "1381234567 8")]
    assert _masked("电话1381234567 8好的") == [("PHONE", "1381234567 8")]


def test_groups_of_one_number_may_be_joined_by_a_comma_and_a_space():
    # As Whisper writes a number read out in groups; a comma and space ending it stay outside.
    assert _masked("my phone number is 415, 555, 0134, and") == [("PHONE", "415, 555, 0134")]
    assert _masked("call me on 415 - 555 - 0134") == [("PHONE", "415 - 555 - 0134")]
    # More than three joiners part two numbers; a few small numbers are not one to mask.
    assert _masked("phone 415,   5550134") == [("PHONE", "5550134")]
    assert _masked("I have 3, 4 or 5 of them") == []


def test_of_two_stretches_from_one_place_the_longer_wins_and_adjacent_ones_both_count():
    assert _masked("my phone is 45013 Market Street") == [("ADDRESS", "45013 Market Street")]
    assert _masked("北京市朝阳区建国路88号13812345678") == [
        ("ADDRESS", "北京市朝阳区建国路88号"),
        ("PHONE", "13812345678"),
    ]


def test_a_stretch_inside_an_earlier_one_is_left_out_whatever_came_before():
    text = "email: anna@example.com, 地址建国路13812345678号"

    assert _masked(text) == [("EMAIL", "anna@example.com"), ("ADDRESS", "建国路13812345678号")]


def test_two_masks_in_one_turn_come_in_time_order_with_their_exact_times():
    texts = ["电话", "13812345678", "，", "卡号", "0128", "。"]
    words = [Word(t, 1.23456 * i, 1.23456 * i + 1, 0.9) for i, t in enumerate(texts)]

    out, masks = redact_words(words)

    assert [w.text for w in out] == ["电话", "[PHONE]", "，", "卡号", "[BANK_CARD]", "。"]
    assert masks == [
        {"type": "PHONE", "start": 1.235, "end": 2.235},
        {"type": "BANK_CARD", "start": 4.938, "end": 5.938},
    ]


def test_the_bleep_is_a_1_khz_tone_from_a_tenth_of_a_second_before_to_one_after():
    rate = 16000
    speech = np.full(rate * 4, 0.5, dtype=np.float32)

    out = bleep(speech, [(1.5, 2.5)], rate)

    tone = out[int(1.4 * rate) : int(2.6 * rate)]
    assert not np.any(tone == 0.5)
    assert np.all(out[: int(1.4 * rate) - 1] == 0.5) and np.all(out[int(2.6 * rate) + 1 :] == 0.5)
    second = out[int(1.5 * rate) : int(2.5 * rate)]
    assert np.argmax(np.abs(np.fft.rfft(second))) == 1000  # 1 Hz bins over one second


def test_a_bleep_at_the_very_start_covers_the_first_sample():
    rate = 16000
    out = bleep(np.full(rate, 0.5, dtype=np.float32), [(0.0, 0.5)], rate)

    assert np.all(out[: int(0.6 * rate)] != 0.5) and np.all(out[int(0.6 * rate) + 1 :] == 0.5)


def test_a_mask_covers_a_last_digit_heard_as_a_word_of_its_own():
    words = [Word(t, i, i + 1, 0.9) for i, t in enumerate(["电话", "1381234567", "8", "好"])]

    out, masks = redact_words(words)

    assert [w.text for w in out] == ["电话", "[PHONE]", "好"]
    assert masks == [{"type": "PHONE", "start": 1, "end": 3}]
