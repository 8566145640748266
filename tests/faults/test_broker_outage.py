"""The broker (Redis) stopped for 20 s while calls are in flight, then started again.

While it is down the API still stores uploads (202, the call waits as ``received``) and says
why it is degraded (``/healthz?strict=true`` answers 503 with the reason); afterwards every
call finishes exactly once: the reconciler queues the calls whose message could not be sent.
"""

import time

import pytest

from tests.faults import common
from tests.helpers import upload

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.committed]


def test_a_broker_outage_mid_batch_loses_no_call_and_finishes_every_one(stack, client, tmp_path):
    before = [upload(client, common.recording(tmp_path, n)) for n in range(2)]
    assert [r.status_code for r in before] == [202, 202], [r.text for r in before]
    call_ids = [r.json()["id"] for r in before]
    # Mid-batch: the worker has started on the first call.
    deadline = time.monotonic() + 60
    while "transcribing" not in common.statuses(call_ids).values():
        assert time.monotonic() < deadline, common.statuses(call_ids)
        time.sleep(0.2)

    stack.broker.stop()
    stopped = time.monotonic()
    during = [upload(client, common.recording(tmp_path, n)) for n in range(2, 4)]
    health = client.get("/healthz?strict=true")
    common.rest_of_outage(stopped)
    # The worst moment: a transcription ends while the broker is away (its scoring cannot be
    # queued then). Keep the broker down until one has, within a bound.
    while "transcribed" not in common.statuses(call_ids).values():
        assert time.monotonic() < stopped + 90, common.statuses(call_ids)
        time.sleep(0.2)
    ended_during = list(common.statuses(call_ids).values()).count("transcribed")
    stack.broker.start()
    outage_s = time.monotonic() - stopped

    # Accepted while the broker was away: stored and registered, waiting for the reconciler.
    assert [r.status_code for r in during] == [202, 202], [r.text for r in during]
    assert {r.json()["status"] for r in during} == {"received"}
    assert health.status_code == 503
    assert health.json()["broker"] == "unreachable"
    assert any("broker is unreachable" in r for r in health.json()["reasons"])
    call_ids += [r.json()["id"] for r in during]

    finished = common.wait_finished(call_ids, timeout_s=150)
    print(
        f"\ninjected: broker stopped {outage_s:.1f} s with {len(before)} calls in flight; "
        f"{ended_during} transcriptions ended during it; "
        f"{len(during)} uploads during the outage (answered {[r.status_code for r in during]}, "
        f"/healthz?strict=true {health.status_code}: {health.json()['reasons']})\n"
        f"counted: {sum(s == 'scored' for s in finished.values())} of {len(call_ids)} scored, "
        f"{sum(s == 'failed' for s in finished.values())} failed; "
        f"scores per call {sorted(common.scores_per_call(call_ids).values())}; "
        f"duplicated rows {common.duplicates(call_ids)}"
    )
    assert finished == dict.fromkeys(call_ids, "scored")
    assert common.scores_per_call(call_ids) == dict.fromkeys(call_ids, 1)
    assert common.duplicates(call_ids) == {"scores": 0, "hits": 0, "turns": 0}
