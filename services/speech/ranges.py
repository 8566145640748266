"""HTTP byte ranges (RFC 9110 §14): which part of a recording a player asks for when it seeks."""

import re
from dataclasses import dataclass

_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` (inclusive) of an object of ``size`` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        """How many bytes the range holds."""
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        """The ``Content-Range`` header of a 206 answer."""
        return f"bytes {self.start}-{self.end}/{self.size}"


class Unsatisfiable(Exception):
    """A range wholly past the end of the object: the answer is 416."""


def parse(header: str | None, size: int) -> ByteRange | None:
    """The range a ``Range`` header asks for, or None for the whole object.

    A server may answer any valid ``Range`` with the whole object, and must ignore units it does
    not know; so a malformed header, another unit or several ranges (players ask for one) get the
    whole object. Raises Unsatisfiable when the one range starts past the end.
    """
    if header is None:
        return None
    found = _ONE_RANGE.fullmatch(header.strip().replace(" ", ""))
    if found is None:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(size - suffix, 0), size - 1, size)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored, as the RFC allows
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(int(last), size - 1) if last else size - 1, size)
