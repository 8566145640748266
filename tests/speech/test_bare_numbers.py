"""A mobile number said with no word around it that names it is still masked: every valid
Chinese mobile prefix (13x to 19x), and nothing that only looks like one."""

import pytest

from services.speech.redaction import find


def _masked(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in find(text)]


def test_a_bare_mobile_number_is_masked():
    assert _masked("就打这个13812345678吧") == [("PHONE", "13812345678")]


@pytest.mark.parametrize("second", "3456789")
def test_every_mobile_prefix_is_masked_without_context(second: str):
    number = f"1{second}012345678"

    assert _masked(f"好的，{number}，记下了") == [("PHONE", number)]


@pytest.mark.parametrize("number", ["12012345678", "10012345678", "23812345678"])
def test_an_eleven_digit_number_that_is_no_mobile_stays_without_context(number: str):
    assert _masked(f"订单{number}已经发货") == []
