"""`zhijian up --host` serves other machines: the API listens beyond 127.0.0.1, and playback needs
nothing but the API's public address. 127.0.0.2 stands in for that other machine's view: it is
loopback too, but a server bound to 127.0.0.1 alone does not answer it."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from services.local.processes import free_port
from tests.synth import write_wav

ROOT = Path(__file__).resolve().parents[2]
ALL_ADDRESSES = "0.0.0.0"  # noqa: S104 - what the test is about
pytestmark = pytest.mark.slow


def test_up_on_all_addresses_hands_out_links_to_its_public_url(tmp_path: Path):
    port = free_port()
    public = f"http://127.0.0.2:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    env["ZHIJIAN_PUBLIC_URL"] = public
    log_path = tmp_path / "up.log"
    data = tmp_path / "data"
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "zhijian"), "up", "--host", ALL_ADDRESSES,
         "--port", str(port), "--data-dir", str(data), "--examples", str(tmp_path / "none")],
        cwd=ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for_health(public, process, log_path)
        token = (data / "admin-token").read_text().strip()
        api = httpx.Client(base_url=public, headers={"Authorization": f"Bearer {token}"})
        tone = 0.3 * np.sin(np.linspace(0, 2000 * np.pi, 8000 * 2, dtype=np.float32))
        recording = write_wav(tmp_path / "tone.wav", np.stack([tone, tone])).read_bytes()
        call_id = api.post(
            "/api/v1/calls", files={"audio": ("tone.wav", recording, "audio/wav")}
        ).json()["id"]

        url = api.get(f"/api/v1/calls/{call_id}/audio").json()["url"]
        seek = httpx.get(url, headers={"Range": "bytes=44-143"})
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)

    assert url.startswith(f"{public}/api/v1/calls/{call_id}/audio/stream?"), url
    assert "127.0.0.1" not in url
    assert seek.status_code == 206, seek.text
    assert seek.content == recording[44:144]
    assert f"API {public}/docs" in log_path.read_text()


def _wait_for_health(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"zhijian up did not start:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
