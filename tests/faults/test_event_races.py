"""Bucket events delivered twice and out of order while reconcilers list the same bucket:
every object becomes exactly one call."""

import json
import random
import threading

import httpx
import pytest
from sqlalchemy import select

from services import storage
from services.calls import maintenance
from services.calls.tables import Call
from services.db import session_factory
from tests.faults import common

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.committed]

OBJECTS = 6


def _record(bucket: str, key: str) -> dict:
    return {
        "eventName": "s3:ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key}},
    }


def test_duplicate_and_reordered_events_racing_reconcilers_make_one_call_per_object(
    stack, live_url, admin_token, tmp_path
):
    prefix = f"races-{random.randrange(10**9)}/"
    keys = []
    for n in range(OBJECTS):
        path = common.quiet_recording(tmp_path, n)
        key = f"{prefix}{path.name}"
        storage.put_bytes(
            bucket=stack.bucket,
            key=f"{key}.json",
            data=json.dumps({"agent_id": f"A{n}"}).encode(),
            content_type="application/json",
        )
        storage.put_bytes(
            bucket=stack.bucket, key=key, data=path.read_bytes(), content_type="audio/wav"
        )
        keys.append(key)
    # Three notifiers, each sending every event twice in an order of its own (one reversed),
    # and two reconcilers listing the bucket, all at once.
    orders = [keys * 2, list(reversed(keys)) * 2, random.sample(keys * 2, 2 * OBJECTS)]
    answers: list[dict] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(orders) + 2)

    def notify(order: list[str]) -> None:
        with httpx.Client(
            base_url=live_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60
        ) as http:
            start.wait()
            for batch in (order[i : i + 3] for i in range(0, len(order), 3)):
                payload = {"Records": [_record(stack.bucket, k) for k in batch]}
                answer = http.post("/api/v1/ingest/s3-events", json=payload)
                assert answer.status_code == 200, answer.text
                answers.append(answer.json())

    def reconcile() -> None:
        start.wait()
        answers.append(maintenance.reconcile_now())

    def guarded(target, *args) -> None:
        try:
            target(*args)
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(notify, o)) for o in orders]
    threads += [threading.Thread(target=guarded, args=(reconcile,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors

    with session_factory()() as session:
        rows = session.execute(
            select(Call.object_key, Call.id).where(
                Call.bucket == stack.bucket, Call.object_key.startswith(prefix)
            )
        ).all()
    per_key = {k: [i for key, i in rows if key == k] for k in keys}
    events = sum(len(o) for o in orders)
    call_ids = [i for ids in per_key.values() for i in ids]
    finished = common.wait_finished(call_ids, timeout_s=120)
    print(
        f"\ninjected: {OBJECTS} objects, {events} events ({len(orders)} notifiers, every "
        f"event twice, one order reversed, one shuffled) racing 2 reconcilers\n"
        f"counted: calls per object {sorted(len(v) for v in per_key.values())}; "
        f"finished {sorted(finished.values())}; "
        f"duplicated rows {common.duplicates(call_ids)}"
    )
    assert all(len(ids) == 1 for ids in per_key.values()), per_key
    # Silence ends as a call without speech: scored, or failed with the reason.
    assert set(finished.values()) <= set(common.FINISHED), finished
    assert common.duplicates(call_ids) == {"scores": 0, "hits": 0, "turns": 0}
