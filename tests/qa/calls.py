"""Scored calls from text, for the QA workflow tests: the transcript is stored as the speech
stage stores it and scored by the real engine and the shipped Chinese pack (no ASR needed)."""

import secrets
from datetime import datetime
from types import SimpleNamespace

from services import storage
from services.calls.tables import Call
from services.config import get_settings
from services.scoring import service as scoring_service
from services.speech import service as speech_service
from services.speech.transcribe import Activity, TurnDraft, Word

CLEAN = [
    ("agent", 0.0, 8.0, "您好，很高兴为您服务，我是客服工号一零二四，请问有什么可以帮您"),
    ("customer", 8.5, 11.0, "我想查一下我的宽带账单"),
    ("agent", 11.5, 15.0, "好的，我帮您查询一下"),
    ("customer", 15.5, 17.5, "好的谢谢"),
    ("agent", 18.0, 23.0, "感谢您的来电，祝您生活愉快，再见"),
]
FORBIDDEN = [*CLEAN[:2], ("agent", 11.5, 15.0, "这个不归我管，你去找别人"), *CLEAN[3:]]
ABUSIVE = [*CLEAN[:2], ("agent", 11.5, 15.0, "你有病吧，说了多少遍"), *CLEAN[3:]]
CHANNELS = {"agent": 0, "customer": 1}


def scored_call(
    db_session, *, agent_id: str, team: str, started_at: datetime, lines=FORBIDDEN, queue="qa-q"
) -> Call:
    """A two-channel Chinese call of ``lines`` (role, start, end, text), transcribed and scored."""
    # A stand-in object, so that playback (which checks the recording exists) works.
    info = storage.put_bytes(
        bucket=get_settings().bucket,
        key=f"qa-text/{secrets.token_hex(6)}.wav",
        data=b"RIFF",
        content_type="audio/wav",
    )
    call = Call(
        bucket=info.bucket,
        object_key=info.key,
        object_version="v",
        source="upload",
        agent_id=agent_id,
        team=team,
        queue=queue,
        language="zh",
        status="transcribing",
        started_at=started_at,
        channel_map=CHANNELS,
        extra={},
    )
    db_session.add(call)
    db_session.flush()
    drafts = [
        TurnDraft(
            role=role,
            channel=CHANNELS[role],
            start=start,
            end=end,
            words=[Word(text, start, end, 0.95)],
        )
        for role, start, end, text in lines
    ]
    activity = [
        Activity(
            role=role,
            channel=channel,
            loudness_dbfs=-20.0,
            regions=[(s, e) for r, s, e, _ in lines if r == role],
        )
        for role, channel in CHANNELS.items()
    ]
    # Only what save() reads from the decoded audio: these calls were never audio.
    audio = SimpleNamespace(duration_s=lines[-1][2] + 1, source_channels=2, source_sample_rate=8000)
    speech_service.save(
        db_session=db_session,
        call=call,
        drafts=drafts,
        activity=activity,
        audio=audio,
        model_name="text",
    )
    scoring_service.score_call(
        db_session=db_session, call_id=call.id, rules_dir=get_settings().rules_dir
    )
    db_session.refresh(call)
    return call
