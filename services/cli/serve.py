"""Running zhijian: everything on this machine (`zhijian up`), the HTTP API, a Celery worker.

Each command is registered on the top-level ``zhijian`` command in ``services/cli/__init__.py``.
"""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer


def up(
    port: Annotated[int, typer.Option(help="API port.")] = 8000,
    host: Annotated[
        str, typer.Option(help="Address the API listens on; 0.0.0.0 for the whole LAN.")
    ] = "127.0.0.1",
    examples: Annotated[Path, typer.Option(help="Recordings to ingest at start.")] = Path(
        "examples"
    ),
    data_dir: Annotated[Path | None, typer.Option(help="Where embedded data lives.")] = None,
) -> None:
    """Runs everything on this machine with no external server (SQLite, embedded S3, a worker)."""
    from services.local.up import run

    run(port=port, examples=examples, data_dir=data_dir, host=host)


def api(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Uvicorn worker processes.")] = 1,
) -> None:
    """Serves the HTTP API (production: behind a reverse proxy)."""
    import uvicorn

    uvicorn.run("services.api.app:create_app", factory=True, host=host, port=port, workers=workers)


def worker(
    queues: Annotated[
        str, typer.Option(help="asr, asr-gpu, score, maintenance (comma-separated).")
    ] = "asr,score,maintenance",
    concurrency: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    beat: Annotated[
        bool, typer.Option(help="Also run the periodic reconciler (one per site).")
    ] = False,
) -> None:
    """Runs a Celery worker."""
    # The worker loads its app by name, as `celery -A workers.app` would: this command only
    # starts it, and the CLI stays free of the task code.
    argv = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
    argv += ["-Q", queues, "-c", str(concurrency), "-l", "INFO"]
    os.execv(sys.executable, [*argv, "-B"] if beat else argv)  # noqa: S606 - no shell needed
