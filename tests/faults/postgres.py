"""A PostgreSQL cluster of one fault test's own, on loopback, that it may stop and start again.

The shared server on 5432 is never touched: the cluster lives in a temporary directory, listens
on a free port of 127.0.0.1 only (its socket in that directory), and trusts local connections.
PostgreSQL refuses to run as root: as root, the cluster is run as the ``postgres`` user.
``initdb`` and ``pg_ctl`` are taken from ``ZHIJIAN_TEST_PG_BIN``, else from the PATH, else from
the newest Debian server package (``/usr/lib/postgresql/N/bin``, not on the PATH there).
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from services.local.processes import free_port


def program(name: str) -> str:
    """Where the server program ``name`` is."""
    configured = os.environ.get("ZHIJIAN_TEST_PG_BIN")
    if configured:
        return str(Path(configured) / name)
    debian = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    found = shutil.which(name) or (debian[-1] if debian else None)
    if not found:
        raise RuntimeError(f"{name} is missing: install the PostgreSQL server package")
    return found


def _version(path: str) -> int:
    number = Path(path).parent.parent.name
    return int(number) if number.isdigit() else 0


def _as_owner() -> dict[str, Any]:
    """Popen's arguments to run a server program as a user PostgreSQL accepts."""
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


@dataclass
class Cluster:
    """A cluster made with ``initdb``, started and stopped with ``pg_ctl``."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="zhijian-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def data_dir(self) -> Path:
        """The cluster's files."""
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [program(args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=120,
            cwd=self.root,
            **_as_owner(),
        )

    def create(self, database: str) -> "Cluster":
        """Makes the cluster, starts it and creates ``database``."""
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        self.start()
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        return self

    def start(self) -> None:
        """Starts the server (again, on the same port and files); returns once it accepts."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c full_page_writes=off"  # a test's data: speed over durability
        )
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """Stops the server as a service manager's restart does (``fast``: every session is
        ended, nothing waits for clients to leave)."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stops the server if it runs and deletes the cluster."""
        if (self.data_dir / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
