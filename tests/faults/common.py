"""What the fault tests share: distinct recordings, waiting for calls, counting duplicates."""

import time
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from services.calls.tables import Call
from services.db import session_factory
from services.scoring.tables import CallScore, RuleHit
from services.speech.tables import Turn
from tests.synth import ENGLISH_SCRIPT, en_lines, mix, write_wav

OUTAGE_S = 20.0
FINISHED = ("scored", "failed")


@cache
def _speech() -> np.ndarray:
    """The first line of the English test call (a few seconds, stereo)."""
    return mix(en_lines(ENGLISH_SCRIPT[:1]))


def recording(directory: Path, n: int) -> Path:
    """A short call whose bytes differ from every other ``n`` (one call per content)."""
    audio = _speech()
    padded = np.concatenate([audio, np.zeros((audio.shape[0], n + 1), audio.dtype)], axis=1)
    return write_wav(directory / f"call-{n}.wav", padded)


def quiet_recording(directory: Path, n: int) -> Path:
    """A second of near silence, distinct for every ``n``: cheap to transcribe."""
    audio = np.zeros((2, 16000 + n), np.float32)
    audio[0, n % 16000] = 0.01
    return write_wav(directory / f"quiet-{n}.wav", audio)


def rest_of_outage(started: float, seconds: float = OUTAGE_S) -> None:
    """Sleeps until ``seconds`` have passed since ``started`` (time.monotonic())."""
    time.sleep(max(0.0, started + seconds - time.monotonic()))


def statuses(call_ids: list[int]) -> dict[int, str]:
    """Each call's status now."""
    with session_factory()() as session:
        rows = session.execute(select(Call.id, Call.status).where(Call.id.in_(call_ids)))
        return {i: str(s) for i, s in rows.tuples()}


def wait_finished(call_ids: list[int], timeout_s: float) -> dict[int, str]:
    """Waits until every call is scored or failed; returns the statuses (also on time-out)."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = statuses(call_ids)
        if all(s in FINISHED for s in now.values()) or time.monotonic() > deadline:
            return now
        time.sleep(0.5)


def duplicates(call_ids: list[int]) -> dict[str, int]:
    """Rows stored twice for one call: scores per pack version, hits, turns per position."""
    keys = {
        "scores": (CallScore.call_id, CallScore.pack, CallScore.pack_version),
        "hits": (RuleHit.call_id, RuleHit.pack_version, RuleHit.rule_id, RuleHit.start),
        "turns": (Turn.call_id, Turn.channel, Turn.start),
    }
    found = {}
    with session_factory()() as session:
        for name, columns in keys.items():
            doubled = (
                select(*columns)
                .where(columns[0].in_(call_ids))
                .group_by(*columns)
                .having(func.count() > 1)
            )
            found[name] = len(session.execute(doubled).all())
    return found


def scores_per_call(call_ids: list[int]) -> dict[int, int]:
    """How many scores each call has (one per rule pack version: one here)."""
    with session_factory()() as session:
        rows = session.execute(
            select(CallScore.call_id, func.count())
            .where(CallScore.call_id.in_(call_ids))
            .group_by(CallScore.call_id)
        )
        return {i: n for i, n in rows.tuples()}
