"""The speech stage on a stereo recording whose metadata says mono: both channels are heard as
one, the voices are split into agent and customer and how is stored with the call; with
ZHIJIAN_MONO_DIARIZATION off the one party stays ``unknown``."""

import secrets
from pathlib import Path

import pytest

from services import storage
from services.calls.tables import Call
from services.config import get_settings
from services.speech import service as speech_service
from tests.speech.mono_calls import ENGLISH_TWO_VOICES, build
from tests.synth import mix, write_wav

pytestmark = pytest.mark.slow


def _call(db_session, tmp_path: Path) -> Call:
    path = write_wav(tmp_path / "stereo.wav", mix(build(ENGLISH_TWO_VOICES[:4])))
    info = storage.put_bytes(
        bucket=get_settings().bucket,
        key=f"mono-stage/{secrets.token_hex(6)}.wav",
        data=path.read_bytes(),
        content_type="audio/wav",
    )
    call = Call(
        bucket=info.bucket,
        object_key=info.key,
        object_version="v",
        source="upload",
        language="en",
        direction="inbound",
        status="transcribing",
        channel_map={},  # the metadata said "mono"
        extra={},
    )
    db_session.add(call)
    db_session.flush()
    return call


def test_stereo_recording_said_to_be_mono_is_split_into_agent_and_customer(
    db_session, tmp_path: Path
):
    call = _call(db_session, tmp_path)

    assert speech_service.transcribe(db_session=db_session, call=call, settings=get_settings())

    turns = speech_service.get_turns(db_session=db_session, call_id=call.id)
    activity = speech_service.get_activity(db_session=db_session, call_id=call.id)
    assert [t.role for t in turns] == ["agent", "customer", "agent", "customer"]
    assert all(t.channel == 0 and t.role_confidence for t in turns)
    assert [(a.channel, a.role) for a in activity] == [(0, "agent"), (0, "customer")]
    assert call.speaker_roles is not None and call.speaker_roles["method"] == "voices"


def test_with_speaker_separation_off_a_mono_call_has_one_unknown_party(db_session, tmp_path: Path):
    call = _call(db_session, tmp_path)
    settings = get_settings().model_copy(update={"mono_diarization": False})

    assert speech_service.transcribe(db_session=db_session, call=call, settings=settings)

    turns = speech_service.get_turns(db_session=db_session, call_id=call.id)
    assert {t.role for t in turns} == {"unknown"}
    assert all(t.role_confidence is None for t in turns)
    assert call.speaker_roles is None
