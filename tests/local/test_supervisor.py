"""`zhijian up` supervises its worker: a killed one is reaped and replaced, never a zombie."""

import os
import signal
import subprocess
import time
from pathlib import Path

from services.local.processes import Supervised


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def test_a_killed_child_is_reaped_and_replaced_and_stop_ends_it():
    supervised = Supervised(
        lambda: subprocess.Popen(["sleep", "300"], start_new_session=True),
        name="sleeper",
        check_s=0.2,
    ).start()
    try:
        first = supervised.process
        os.killpg(first.pid, signal.SIGKILL)

        deadline = time.monotonic() + 10
        while supervised.process is first:
            assert time.monotonic() < deadline, "the dead child was not replaced"
            time.sleep(0.1)
        second = supervised.process

        assert _state(first.pid) is None, "the killed child was left a zombie"
        assert second.poll() is None and supervised.restarts == 1
    finally:
        supervised.stop()
    assert second.poll() is not None
    time.sleep(0.5)
    assert supervised.process is second, "a child was started after stop"
