"""Why a recording could not be transcribed reads in the reader's language, whatever language
the worker ran in; a reason kept as plain text before still shows as it was written."""

from services.config import get_settings
from services.i18n import use_language
from services.speech import service as speech_service
from tests import factories


def _reason(client, call_id: int, language: str) -> str:
    answer = client.get(f"/api/v1/calls/{call_id}", headers={"Accept-Language": language})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "failed"
    return str(answer.json()["failure_reason"])


def test_a_bad_recordings_reason_reads_in_each_readers_language(client, db_session):
    call = factories.call(db_session, data=b"", status="transcribing")
    db_session.commit()

    with use_language("en"):  # a worker set to English
        done = speech_service.transcribe(db_session=db_session, call=call, settings=get_settings())
    db_session.commit()

    assert done is False
    assert _reason(client, call.id, "en") == "the recording is empty (0 bytes)"
    assert _reason(client, call.id, "zh-CN") == "录音为空（0 字节）"


def test_a_failure_reason_kept_as_plain_text_still_shows(client, db_session):
    call = factories.call(db_session, status="failed", failure_reason="录音为空（0 字节）")
    db_session.commit()

    assert _reason(client, call.id, "en") == "录音为空（0 字节）"
