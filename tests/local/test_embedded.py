"""The README's run command brings everything up with no external server."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from services.local.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_run_command_brings_up_the_api_and_transcribes_the_examples(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run"), "--port", str(port), "--data-dir", str(tmp_path / "data")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_health(base, process)
        token = (tmp_path / "data" / "admin-token").read_text().strip()
        api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert httpx.get(f"{base}/api/v1/calls").status_code == 401
        calls = _wait_for_examples(api, process, tmp_path / "run.log")
        assert len(calls) == len(list((ROOT / "examples").glob("*.wav")))
        detail = api.get(f"/api/v1/calls/{calls[0]['id']}").json()
        assert {t["role"] for t in detail["turns"]} == {"agent", "customer"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)
    leftovers = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "data")], capture_output=True, text=True
    )
    assert leftovers.stdout == "", "weed or the worker outlived `zhijian up`"
    assert "zhijian is up" in (tmp_path / "run.log").read_text()


def _wait_for_health(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "zhijian up did not start"
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


def _wait_for_examples(api: httpx.Client, process: subprocess.Popen, log: Path) -> list[dict]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            items = api.get("/api/v1/calls").json()["items"]
        except httpx.HTTPError:
            items = []
        if items and all(c["status"] == "scored" for c in items):
            return items
        assert not any(c["status"] == "failed" for c in items), items
        time.sleep(1)
    raise AssertionError(f"the example calls were not transcribed in time:\n{log.read_text()}")
