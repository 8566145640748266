"""Every ``zhijian`` command given the data directory ``zhijian up`` was given (as --data-dir or
ZHIJIAN_DATA_DIR, from any folder) acts on the same database; a command pointed at a database
with no tables says so in one line, never a traceback."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.config import Settings
from services.local.processes import free_port

ZHIJIAN = str(Path(sys.executable).parent / "zhijian")
PASSWORD = "correct horse battery"


def _environment() -> dict[str, str]:
    """The test process's environment without its zhijian settings (its own database)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}


def _create_user(username: str, cwd: Path, env: dict[str, str], *options: str) -> None:
    result = subprocess.run(
        [ZHIJIAN, *options, "users", "create", "--username", username, "--role", "inspector",
         "--password-stdin"],
        input=PASSWORD + "\n", cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_users_created_by_the_cli_sign_in_to_the_api_of_zhijian_up(tmp_path: Path):
    port, data, elsewhere = free_port(), tmp_path / "data", tmp_path / "elsewhere"
    no_examples = tmp_path / "no-examples"
    for folder in (elsewhere, no_examples):
        folder.mkdir()
    env = _environment()
    log_path = tmp_path / "up.log"
    with log_path.open("wb") as log:
        up = subprocess.Popen(
            [ZHIJIAN, "up", "--port", str(port), "--data-dir", str(data),
             "--examples", str(no_examples)],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_health(base, up, log_path)

        _create_user("mei", elsewhere, env, "--data-dir", str(data))
        _create_user("lei", elsewhere, {**env, "ZHIJIAN_DATA_DIR": str(data)})

        for username in ("mei", "lei"):
            answer = httpx.post(
                f"{base}/api/v1/auth/login",
                json={"username": username, "password": PASSWORD},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["username"] == username
    finally:
        os.killpg(up.pid, signal.SIGTERM)
        up.wait(60)
    assert not (elsewhere / ".zhijian").exists(), "a command wrote to a database of its own"
    leftovers = subprocess.run(["pgrep", "-f", str(data)], capture_output=True, text=True)
    assert leftovers.stdout == "", "weed or the worker outlived `zhijian up`"


def test_a_command_on_a_database_without_tables_says_so_in_one_line(tmp_path: Path):
    result = subprocess.run(
        [ZHIJIAN, "--data-dir", str(tmp_path / "never-started"), "tokens", "create",
         "--username", "mei"],
        cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("zhijian: 数据库未初始化 / the database sqlite:///")
    assert str(tmp_path / "never-started" / "zhijian.db") in line
    assert "zhijian db upgrade" in line


def test_the_database_is_in_the_data_dir_unless_a_url_is_set(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("ZHIJIAN_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    assert Settings(data_dir=Path("here")).database_url == (
        f"sqlite:///{tmp_path / 'here' / 'zhijian.db'}"
    )
    assert Settings(data_dir=Path("here"), database_url="sqlite:///x.db").database_url == (
        "sqlite:///x.db"
    )


def _wait_for_health(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"zhijian up did not start:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
