"""Keyset cursors of the calls list: where the previous page ended, opaque to clients.

Without a time window the list runs in arrival order (id), newest first. Within a window on
``started_at`` it runs by call start, newest first (then id): the index on (started_at, id)
then reads one page's rows and stops, where the id order had to step past every call that
arrived after the window (half a second at a million calls for a month early in the year).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from services.errors import InvalidInput
from services.i18n import _
from services.types import MAX_ID, sane_time


@dataclass(frozen=True)
class Position:
    """The last row of a page: its id and, in a time window, its start."""

    before: int
    at: datetime | None = None


def encode(position: Position) -> str:
    """The cursor of the page after ``position``."""
    fields: dict[str, int | str] = {"before": position.before}
    if position.at is not None:
        fields["at"] = position.at.isoformat()
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


def decode(cursor: str, *, windowed: bool) -> Position:
    """The position a cursor holds; a cursor of the other order (or none of ours) is refused."""
    try:
        fields = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        before, at = fields["before"], fields.get("at")
        started = sane_time(datetime.fromisoformat(at)) if isinstance(at, str) else None
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError, AttributeError):
        raise InvalidInput(_("the cursor is not one this API returned")) from None
    if not isinstance(before, int) or isinstance(before, bool) or not 0 < before <= MAX_ID:
        raise InvalidInput(_("the cursor is not one this API returned"))
    if windowed != (started is not None):
        raise InvalidInput(_("the cursor is not one this API returned"))
    return Position(before, started)
