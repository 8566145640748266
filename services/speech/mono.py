"""Transcription of a mono recording: two voices separated, then told agent and customer.

The recording is transcribed once; its speech is split into two voices
(``services/speech/speakers.py``), each change of voice moved to the end of the sentence next
to it; each word goes to the voice speaking under it; what each voice says decides which is
the agent (``services/speech/roles.py``). Turns and speech activity
then carry real roles, and each turn the confidence of its role. When the roles cannot be told
with enough confidence, they stay ``unknown`` with the reason, and turns still break where the
voice changes. Overtalk is not measurable on mono: two voices at once are one signal here.
"""

import bisect
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from services.speech import roles as role_cues
from services.speech import speakers
from services.speech.roles import RoleDecision, Utterance
from services.speech.transcribe import (
    Activity,
    Party,
    TurnDraft,
    Word,
    build_turns,
    loudness_dbfs,
    party_words,
    speech_regions,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

_SENTENCE_ENDS = tuple("。？！.?!，,")
SNAP_TO_SENTENCE_S = 0.8  # how far a change of voice may move to meet a sentence's end


@dataclass
class MonoResult:
    """A mono recording's turns and activity, and how its roles were decided."""

    turns: list[TurnDraft]
    activity: list[Activity]
    decision: RoleDecision

    def roles_record(self) -> dict[str, Any]:
        """How the roles were found, as stored with the call."""
        d = self.decision
        return {
            "method": d.method,
            "confidence": round(d.confidence, 3),
            "reason": d.reason,
        }


def _piece_of(word: Word, starts: list[float], pieces: list[speakers.Piece]) -> int:
    """The piece of speech under a word's middle, or the nearest one."""
    middle = (word.start + word.end) / 2
    i = bisect.bisect_right(starts, middle) - 1
    candidates = [j for j in (i, i + 1) if 0 <= j < len(pieces)]
    return min(candidates, key=lambda j: max(pieces[j].start - middle, middle - pieces[j].end, 0.0))


def _snap_to_sentences(pieces: list[speakers.Piece], words: list[Word]) -> None:
    """Moves each change of voice found inside speech to the nearest end of a sentence.

    The voices place a change to within about half a second; where Whisper ended a sentence
    that close to it, the pause after that sentence is where the other party began.
    """
    ends = [
        (w.end + following.start) / 2
        for w, following in pairwise(words)
        if w.text.strip().endswith(_SENTENCE_ENDS) and following.start >= w.end
    ]
    for before, after in pairwise(pieces):
        if before.end != after.start or before.voice == after.voice:
            continue
        near = [t for t in ends if abs(t - before.end) <= SNAP_TO_SENTENCE_S]
        if near:
            moved = min(near, key=lambda t: abs(t - before.end))
            if before.start < moved < after.end:
                before.end = after.start = moved


def _labels(decision: RoleDecision, pieces: list[speakers.Piece]) -> list[tuple[str, float]]:
    """Each piece's role and the confidence in it."""
    if decision.method == "text":
        return decision.per_utterance
    if decision.method == "voices":
        agent = decision.agent_voice
        return [("agent" if p.voice == agent else "customer", decision.confidence) for p in pieces]
    return [("unknown", decision.confidence) for _ in pieces]


def transcribe_mono(
    model: "WhisperModel",
    party: Party,
    *,
    pause_s: float,
    inbound: bool | None,
    min_confidence: float,
    voiceprint: np.ndarray | None = None,
    **options: Any,
) -> MonoResult:
    """Turns with roles (or ``unknown`` and why) for a mono recording.

    ``voiceprint``: the call's agent's enrolled voice, where there is one.
    """
    regions = speech_regions(party.samples)
    if not regions:
        nothing = RoleDecision(None, 0.0, "no speech was found", "none")
        return MonoResult([], [Activity("unknown", party.channel, [], None)], nothing)
    words = party_words(model, party.samples, regions, **options)
    separation = speakers.separate(party.samples, regions)
    pieces = separation.pieces
    _snap_to_sentences(pieces, sorted(words, key=lambda w: w.start))
    starts = [p.start for p in pieces]
    said: list[list[Word]] = [[] for _ in pieces]
    for word in words:
        said[_piece_of(word, starts, pieces)].append(word)
    utterances = [
        Utterance(p.voice, p.start, p.end, "".join(w.text for w in own).strip())
        for p, own in zip(pieces, said, strict=True)
    ]
    likeness = None
    if voiceprint is not None and separation.voices is not None:
        near = separation.voices @ voiceprint
        likeness = (float(near[0]), float(near[1]))
    decision = role_cues.decide(
        utterances,
        separable=separation.separable,
        inbound=inbound,
        threshold=min_confidence,
        likeness=likeness,
    )
    labels = _labels(decision, pieces)
    # Turns are built per role; with unknown roles, per voice, so they still break where the
    # voice changes.
    groups: dict[tuple[str, int], list[int]] = {}
    for i, (role, _confidence) in enumerate(labels):
        key = (role, pieces[i].voice if role == "unknown" else 0)
        groups.setdefault(key, []).append(i)
    turns: list[TurnDraft] = []
    for (role, _voice), members in groups.items():
        spans = [(pieces[i].start, pieces[i].end) for i in members]
        own_words = sorted((w for i in members for w in said[i]), key=lambda w: w.start)
        built = build_turns(own_words, spans, role=role, channel=party.channel, pause_s=pause_s)
        for turn in built:
            inside = [labels[i][1] for i in members if turn.start <= pieces[i].start < turn.end]
            turn.role_confidence = round(min(inside, default=decision.confidence), 3)
        turns += built
    activity = []
    for role in dict.fromkeys(role for role, _ in labels):
        spans = [(p.start, p.end) for p, (r, _) in zip(pieces, labels, strict=True) if r == role]
        activity.append(Activity(role, party.channel, spans, loudness_dbfs(party.samples, spans)))
    return MonoResult(sorted(turns, key=lambda t: (t.start, t.role)), activity, decision)
