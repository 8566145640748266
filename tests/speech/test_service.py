"""The transcription stage's bookkeeping: deliveries, poison calls, idempotent redelivery."""

from services import storage
from services.calls import service as calls_service
from services.calls.tables import CallStatus
from services.speech import service as speech_service


def _call(db_session, key: str):
    info = storage.ObjectInfo("stage", key, "v1", 1, {})
    call, _ = calls_service.register(
        db_session=db_session, info=info, source="reconcile", metadata=None
    )
    return call


def test_a_call_that_keeps_killing_its_worker_ends_failed_with_the_reason(db_session):
    call = _call(db_session, "poison.wav")

    claims = [
        speech_service.begin(db_session=db_session, call_id=call.id, max_deliveries=3)
        for _ in range(4)
    ]

    assert [c is not None for c in claims] == [True, True, True, False]
    db_session.refresh(call)
    assert call.status == CallStatus.FAILED
    assert "interrupted 3 times" in call.failure_reason


def test_a_finished_call_is_not_claimed_again(db_session):
    call = _call(db_session, "done.wav")
    call.status = CallStatus.TRANSCRIBED
    db_session.commit()

    assert speech_service.begin(db_session=db_session, call_id=call.id, max_deliveries=3) is None
    assert speech_service.begin(db_session=db_session, call_id=10**12, max_deliveries=3) is None
    db_session.refresh(call)
    assert call.deliveries == 0
