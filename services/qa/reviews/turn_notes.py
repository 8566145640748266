"""Comments an inspector writes on single turns of the transcript: kept in the review's draft
(``draft["turns"]``, by turn id) while the review is open, and in the evaluation once submitted,
each with the turn's time and speaker so that a reader can jump there."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import InvalidInput
from services.i18n import _
from services.speech.service import Turn


def merged(
    *, db_session: Session, call_id: int, saved: dict[str, Any], comments: dict[int, str]
) -> dict[str, Any]:
    """The draft's turn comments with ``comments`` applied (an empty one removes the turn's);
    every turn must be one of the call's."""
    if not comments:
        return dict(saved)
    wanted = [t for t in comments if 0 < t < 2**63]
    turns = {
        t.id: t
        for t in db_session.scalars(
            select(Turn).where(Turn.call_id == call_id, Turn.id.in_(wanted))
        )
    }
    unknown = sorted(set(comments) - set(turns))
    if unknown:
        raise InvalidInput(_("turns {unknown} are not in this call's transcript", unknown=unknown))
    result = dict(saved)
    for turn_id, comment in comments.items():
        text = comment.strip()
        if not text:
            result.pop(str(turn_id), None)
            continue
        turn = turns[turn_id]
        result[str(turn_id)] = {
            "start": turn.start, "end": turn.end, "role": turn.role, "comment": text,
        }  # fmt: skip
    return result


def kept(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The draft's turn comments as the evaluation keeps them, in the order of the call."""
    notes = [{"turn_id": int(turn_id), **note} for turn_id, note in draft.get("turns", {}).items()]
    return sorted(notes, key=lambda note: (note["start"], note["turn_id"]))
