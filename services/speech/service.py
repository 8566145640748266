"""The transcription stage: a call's recording in, its per-party turns in the database out.
A worker claims the call first (``claims.py``)."""

import io
import logging
import tempfile
import wave
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import asr
from services import storage
from services.audit import service as audit_service
from services.calls import recordings
from services.calls.service import Call, CallStatus
from services.config import Settings
from services.errors import BadRecording, Forbidden, ObjectMissing
from services.i18n import N_, _, stored
from services.people.service import Principal, Role
from services.speech import claims, hotwords, mono, redaction, voiceprints
from services.speech.audio import SAMPLE_RATE, DecodedAudio, decode
from services.speech.tables import ChannelActivity, Turn
from services.speech.transcribe import Activity, Party, TurnDraft, transcribe_parties
from services.text import analysis

log = logging.getLogger(__name__)


def parties(audio: DecodedAudio, channel_map: dict[str, int] | None) -> list[Party]:
    """Splits the recording into parties by the call's channel map."""
    count = audio.channels.shape[0]
    if channel_map is None:
        channel_map = {"agent": 0, "customer": 1} if count >= 2 else {}
    if not channel_map:
        mono = audio.channels.mean(axis=0).astype(np.float32) if count > 1 else audio.channels[0]
        return [Party("unknown", 0, mono)]
    for role, index in channel_map.items():
        if index >= count:
            raise BadRecording(
                N_(
                    "the channel map puts the {role} on channel {index}, but the recording has "
                    "{count} channel(s) (channels count from 0)",
                    role=role,
                    index=index,
                    count=count,
                )
            )
    return [Party(role, index, audio.channels[index]) for role, index in channel_map.items()]


def transcribe(
    *,
    db_session: Session,
    call: Call,
    settings: Settings,
    keyword_terms: Sequence[str] = (),
    delivery: int | None = None,
) -> bool:
    """Transcribes a claimed call and stores its turns; bad recordings end ``failed`` (False).

    ``keyword_terms`` are the rule packs' keywords in the call's language, Whisper's hotwords
    where ``ZHIJIAN_ASR_HOTWORDS`` turns them on for the call's queue. With ``delivery``, the
    result is stored only if that claim still holds (False otherwise, nothing stored).
    """
    try:
        # Looked up only for a mono recording, the one kind whose roles a voice can tell.
        voiceprint = partial(voiceprints.of_agent, db_session=db_session, agent_id=call.agent_id)
        drafts, activity, audio, speaker_roles = _recognise(
            call, settings, keyword_terms, voiceprint
        )
    except (BadRecording, ObjectMissing) as exc:
        if delivery is not None and not claims.holds(
            db_session=db_session, call_id=call.id, delivery=delivery
        ):
            return False
        # A bad recording's reason is kept as a Message, read in each reader's language.
        why = stored(exc.wording) if isinstance(exc, BadRecording) else str(exc)
        claims.fail(db_session=db_session, call=call, reason=why)
        return False
    if delivery is not None and not claims.holds(
        db_session=db_session, call_id=call.id, delivery=delivery
    ):
        log.warning("call %s was requeued while this worker was silent: result dropped", call.id)
        return False
    call.speaker_roles = speaker_roles
    if settings.redact_pii:
        _redact(drafts, keep=settings.keep_unredacted)
        if settings.redact_audio:
            call.redacted_key = _store_bleeped(call, audio, drafts)
    save(
        db_session=db_session,
        call=call,
        drafts=drafts,
        activity=activity,
        audio=audio,
        model_name=settings.asr_model,
    )
    return True


def _redact(drafts: list[TurnDraft], *, keep: bool) -> None:
    """Masks PII in every turn before anything is stored, scored or indexed."""
    for draft in drafts:
        original = draft.text
        draft.words, draft.redactions = redaction.redact_words(draft.words)
        if draft.redactions and keep:
            draft.unredacted = original


def _store_bleeped(call: Call, audio: DecodedAudio, drafts: list[TurnDraft]) -> str | None:
    """Stores a copy of the recording with a tone over every masked span; returns its key."""
    spans: dict[int, list[tuple[float, float]]] = {}
    for d in drafts:
        spans.setdefault(d.channel, []).extend((r["start"], r["end"]) for r in d.redactions)
    spans = {channel: found for channel, found in spans.items() if found}
    if not spans:
        return None
    mono = (not call.channel_map and call.channel_map is not None) or audio.channels.shape[0] == 1
    bleeped = np.stack(
        [
            redaction.bleep(
                samples,
                [s for c, found in spans.items() for s in found] if mono else spans.get(index, []),
                SAMPLE_RATE,
            )
            for index, samples in enumerate(audio.channels)
        ]
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(bleeped.shape[0])
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(bleeped, -1, 1).T * 32767).astype("<i2").tobytes())
    key = recordings.derived_key(call, ".wav")
    storage.put_bytes(bucket=call.bucket, key=key, data=buffer.getvalue(), content_type="audio/wav")
    return key


def _recognise(
    call: Call,
    settings: Settings,
    keyword_terms: Sequence[str],
    voiceprint: Callable[[], np.ndarray | None],
) -> tuple[list[TurnDraft], list[Activity], DecodedAudio, dict[str, Any] | None]:
    """Turns, speech activity, the audio, and on mono recordings how the roles were found
    (with the agent's enrolled ``voiceprint()`` among the cues, where there is one)."""
    with tempfile.TemporaryDirectory(prefix="zhijian-") as tmp:
        local = Path(tmp) / "recording"
        storage.download(bucket=call.bucket, key=call.object_key, path=local)
        audio = decode(local, max_duration_s=settings.max_recording_s)
    model = asr.load(asr.resolve(settings))
    split = parties(audio, call.channel_map)
    language = call.language or settings.asr_language
    options: dict[str, Any] = {
        "language": language,
        "beam_size": settings.asr_beam_size,
        "pause_s": settings.turn_pause_s,
        "temperatures": settings.asr_temperatures,
        "hotwords": hotwords.hotwords(
            keyword_terms,
            language=language,
            max_chars=settings.asr_hotwords_max_chars,
        )
        if hotwords.wanted(settings.asr_hotwords, call.queue)
        else None,
    }
    roles = None
    if settings.mono_diarization and [p.role for p in split] == ["unknown"]:
        found = mono.transcribe_mono(
            model,
            split[0],
            inbound=None if call.direction is None else call.direction == "inbound",
            min_confidence=settings.mono_role_confidence,
            voiceprint=voiceprint(),
            **options,
        )
        drafts, activity, roles = found.turns, found.activity, found.roles_record()
    else:
        drafts, activity = transcribe_parties(model, split, **options)
    if not drafts:
        raise BadRecording(
            N_(
                "no speech was found in the recording ({duration_s:.1f} s)",
                duration_s=audio.duration_s,
            )
        )
    return drafts, activity, audio, roles


def save(
    *,
    db_session: Session,
    call: Call,
    drafts: list[TurnDraft],
    activity: list[Activity],
    audio: DecodedAudio,
    model_name: str,
) -> None:
    """Replaces the call's transcript in one transaction, so a redelivery never duplicates it."""
    db_session.execute(delete(Turn).where(Turn.call_id == call.id))
    db_session.execute(delete(ChannelActivity).where(ChannelActivity.call_id == call.id))
    for a in activity:
        db_session.add(
            ChannelActivity(
                call_id=call.id,
                channel=a.channel,
                role=a.role,
                regions=[[round(s, 3), round(e, 3)] for s, e in a.regions],
                loudness_dbfs=a.loudness_dbfs,
            )
        )
    texts = [d.text for d in drafts]
    analysed = [analysis.analyse(text) for text in texts]
    scored = analysis.sentiment(texts)
    feelings: list[dict[str, float] | None] = list(scored) if scored else [None] * len(texts)
    for idx, (d, text_info, feeling) in enumerate(zip(drafts, analysed, feelings, strict=True)):
        words = [
            {
                "w": w.text,
                "start": round(w.start, 3),
                "end": round(w.end, 3),
                "p": round(w.probability, 3),
            }
            for w in d.words
        ]
        db_session.add(
            Turn(
                call_id=call.id,
                idx=idx,
                role=d.role,
                channel=d.channel,
                start=round(d.start, 3),
                end=round(d.end, 3),
                text=d.text,
                words=words,
                confidence=round(d.confidence, 3),
                role_confidence=d.role_confidence,
                norm=text_info.norm,
                word_edges=text_info.word_edges,
                units=text_info.units,
                sentiment=feeling,
                redactions=d.redactions,
                unredacted_text=d.unredacted,
            )
        )
    call.duration_s = round(audio.duration_s, 3)
    call.channels = audio.source_channels
    call.sample_rate = audio.source_sample_rate
    call.asr_model = model_name
    call.status = CallStatus.TRANSCRIBED
    call.failure_reason = None
    db_session.flush()


def get_turns(*, db_session: Session, call_id: int) -> list[Turn]:
    """Returns a call's turns in time order."""
    return list(db_session.scalars(select(Turn).where(Turn.call_id == call_id).order_by(Turn.idx)))


def get_activity(*, db_session: Session, call_id: int) -> list[ChannelActivity]:
    """Returns each party's speech regions and loudness, by channel."""
    return list(
        db_session.scalars(
            select(ChannelActivity)
            .where(ChannelActivity.call_id == call_id)
            .order_by(ChannelActivity.channel, ChannelActivity.role)
        )
    )


def awaits_scoring(*, db_session: Session, call_id: int) -> bool:
    """Whether the call has a transcript and no score yet."""
    call = db_session.get(Call, call_id)
    return call is not None and call.status == CallStatus.TRANSCRIBED


def shown_turns(
    *, db_session: Session, call: Call, principal: Principal, unredacted: bool
) -> list[tuple[Turn, str]]:
    """Each turn with the text shown to ``principal``: PII masked, unless an admin asks for
    the unmasked text (where it was kept), which is audited."""
    if unredacted and principal.role != Role.ADMIN:
        raise Forbidden(_("only admins read unredacted transcripts"))
    turns = get_turns(db_session=db_session, call_id=call.id)
    if not unredacted:
        return [(t, t.text) for t in turns]
    audit_service.record(
        db_session=db_session,
        username=principal.username,
        action="call.read_unredacted",
        call_id=call.id,
    )
    return [(t, t.unredacted_text or t.text) for t in turns]
