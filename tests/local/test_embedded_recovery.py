"""`zhijian up` survives its worker being killed: the supervisor starts another, the call that
was being transcribed is requeued once its lease runs out, and every call ends scored once."""

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from services.local.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_killing_the_embedded_workers_process_group_loses_no_call(tmp_path: Path):
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    env["ZHIJIAN_TRANSCRIPTION_LEASE_S"] = "8"
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "zhijian"), "up", "--port", str(port),
         "--data-dir", str(data)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        api = _signed_in(base, data, process)
        transcribing = _first_transcribing(api, process)
        worker = _worker_pid(data)

        os.killpg(os.getpgid(worker), signal.SIGKILL)

        calls = _all_scored(api, process, tmp_path / "run.log")
        assert _worker_pid(data) != worker, "no new worker was started"
        assert _state(worker) is None, "the killed worker was left a zombie"
        killed = next(c for c in calls if c["id"] == transcribing)
        with sqlite3.connect(data / "zhijian.db") as db:
            [(deliveries,)] = db.execute(
                "SELECT deliveries FROM calls WHERE id = ?", [killed["id"]]
            )
        assert deliveries == 2
        health = api.get("/healthz", params={"strict": "true"})
        assert health.status_code == 200, health.json()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)


def _signed_in(base: str, data: Path, process: subprocess.Popen) -> httpx.Client:
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "zhijian up did not start"
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    token = (data / "admin-token").read_text().strip()
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _first_transcribing(api: httpx.Client, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None
        items = api.get("/api/v1/calls").json()["items"]
        busy = [c["id"] for c in items if c["status"] == "transcribing"]
        if busy:
            return busy[0]
        time.sleep(0.2)
    raise AssertionError("no call was ever transcribing")


def _worker_pid(data: Path) -> int:
    # The worker runs the beat with its schedule in the data directory: its command line says so.
    found = subprocess.run(
        ["pgrep", "-o", "-f", f"celery.*{data / 'beat-schedule'}"], capture_output=True, text=True
    ).stdout.split()
    assert found, "no worker is running"
    return int(found[0])


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def _all_scored(api: httpx.Client, process: subprocess.Popen, log: Path) -> list[dict]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        items = api.get("/api/v1/calls").json()["items"]
        assert not any(c["status"] == "failed" for c in items), items
        if items and all(c["status"] == "scored" for c in items):
            return items
        time.sleep(1)
    raise AssertionError(f"the calls were not all scored in time:\n{log.read_text()}")
