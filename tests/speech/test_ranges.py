"""Which bytes a player's Range header asks for (RFC 9110 §14)."""

import pytest

from services.speech.ranges import ByteRange, Unsatisfiable, parse


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99, 1000)),
        ("bytes=100-", ByteRange(100, 999, 1000)),
        ("bytes=-10", ByteRange(990, 999, 1000)),
        ("bytes=-5000", ByteRange(0, 999, 1000)),  # more than there is: the whole object
        ("bytes=900-5000", ByteRange(900, 999, 1000)),  # the end is cut to the object's
        ("bytes=999-999", ByteRange(999, 999, 1000)),
        (" bytes = 5 - 9 ", ByteRange(5, 9, 1000)),
    ],
)
def test_one_range_is_the_bytes_it_names(header, expected):
    found = parse(header, 1000)

    assert found == expected
    assert found.content_range == f"bytes {expected.start}-{expected.end}/1000"


@pytest.mark.parametrize(
    "header",
    [None, "", "bytes=", "bytes=-", "bytes=9-3", "items=0-9", "bytes=0-9,20-29", "bytes=a-b"],
)
def test_what_may_be_ignored_gets_the_whole_object(header):
    assert parse(header, 1000) is None


@pytest.mark.parametrize(("header", "size"), [("bytes=1000-", 1000), ("bytes=-0", 1000),
                                               ("bytes=0-", 0), ("bytes=-1", 0)])  # fmt: skip
def test_a_range_past_the_end_cannot_be_satisfied(header, size):
    with pytest.raises(Unsatisfiable):
        parse(header, size)


def test_length_counts_both_ends():
    assert ByteRange(10, 19, 100).length == 10
