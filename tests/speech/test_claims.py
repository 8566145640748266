"""A worker's claim on a call to transcribe: deliveries, poison calls, idempotent redelivery,
the lease a worker holds on the call it transcribes."""

from datetime import UTC, datetime

from services import storage
from services.calls import service as calls_service
from services.calls.tables import CallStatus
from services.speech import claims


def _call(db_session, key: str):
    info = storage.ObjectInfo("stage", key, "v1", 1, {})
    call, _ = calls_service.register(
        db_session=db_session, info=info, source="reconcile", metadata=None
    )
    return call


def test_a_call_that_keeps_killing_its_worker_ends_failed_with_the_reason(db_session):
    call = _call(db_session, "poison.wav")

    claimed = []
    for _ in range(4):
        claimed.append(_begin(db_session, call.id))
        _expire_lease(db_session, call)  # the worker was killed: its lease runs out

    assert [c is not None for c in claimed] == [True, True, True, False]
    db_session.refresh(call)
    assert call.status == CallStatus.FAILED
    assert "interrupted 3 times" in call.failure_reason


def test_a_finished_call_is_not_claimed_again(db_session):
    call = _call(db_session, "done.wav")
    call.status = CallStatus.TRANSCRIBED
    db_session.commit()

    assert _begin(db_session, call.id) is None
    assert _begin(db_session, 10**12) is None
    db_session.refresh(call)
    assert call.deliveries == 0


def _begin(db_session, call_id: int):
    return claims.begin(db_session=db_session, call_id=call_id, max_deliveries=3, lease_s=60)


def _expire_lease(db_session, call) -> None:
    call.heartbeat_at = datetime(2026, 1, 1, tzinfo=UTC)
    db_session.flush()


def test_a_call_whose_worker_holds_a_current_lease_is_not_claimed_twice(db_session):
    call = _call(db_session, "held.wav")

    first = _begin(db_session, call.id)
    second = _begin(db_session, call.id)

    assert first is not None and second is None
    db_session.refresh(call)
    assert (call.status, call.deliveries) == (CallStatus.TRANSCRIBING, 1)


def test_a_worker_that_lost_its_lease_cannot_renew_it_nor_store_its_result(db_session):
    from datetime import timedelta

    from services.calls import recovery

    call = _call(db_session, "lost.wav")
    _begin(db_session, call.id)
    assert claims.heartbeat(db_session=db_session, call_id=call.id, delivery=1)
    assert claims.holds(db_session=db_session, call_id=call.id, delivery=1)
    _expire_lease(db_session, call)

    released = recovery.release_stuck(db_session=db_session, lease=timedelta(seconds=60))
    taken_over = _begin(db_session, call.id)

    assert call.id in released and taken_over is not None and taken_over.deliveries == 2
    assert not claims.heartbeat(db_session=db_session, call_id=call.id, delivery=1)
    assert not claims.holds(db_session=db_session, call_id=call.id, delivery=1)
    assert claims.holds(db_session=db_session, call_id=call.id, delivery=2)


def test_only_calls_past_their_lease_are_released(db_session):
    from datetime import timedelta

    from services.calls import recovery

    alive = _call(db_session, "alive.wav")
    dead = _call(db_session, "dead.wav")
    _begin(db_session, alive.id)
    _begin(db_session, dead.id)
    _expire_lease(db_session, dead)

    released = recovery.release_stuck(db_session=db_session, lease=timedelta(seconds=60))

    assert dead.id in released and alive.id not in released
    db_session.refresh(dead)
    db_session.refresh(alive)
    assert (dead.status, dead.heartbeat_at, dead.deliveries) == (CallStatus.RECEIVED, None, 1)
    assert alive.status == CallStatus.TRANSCRIBING


def test_a_lease_held_by_a_process_gone_from_this_host_is_free_at_once(db_session):
    import socket
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    call = _call(db_session, "orphan.wav")
    _begin(db_session, call.id)
    call.leased_by = f"{socket.gethostname()}:{child.pid}"
    db_session.flush()

    assert not claims.held(db_session=db_session, call_id=call.id, lease_s=60)
    taken_over = _begin(db_session, call.id)

    assert taken_over is not None and taken_over.deliveries == 2
    assert claims.held(db_session=db_session, call_id=call.id, lease_s=60)
