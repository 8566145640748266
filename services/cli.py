"""The ``zhijian`` command line."""

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="zhijian: call-center QA and speech analytics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
ingest_app = typer.Typer(help="Register recordings.", no_args_is_help=True)
rules_app = typer.Typer(help="Rule packs.", no_args_is_help=True)
models_app = typer.Typer(help="Machine-learning models.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(rules_app, name="rules")
app.add_typer(ingest_app, name="ingest")


@app.command()
def up(
    port: Annotated[int, typer.Option(help="API port.")] = 8000,
    examples: Annotated[Path, typer.Option(help="Recordings to ingest at start.")] = Path(
        "examples"
    ),
    data_dir: Annotated[Path | None, typer.Option(help="Where embedded data lives.")] = None,
) -> None:
    """Runs everything on this machine with no external server (SQLite, embedded S3, a worker)."""
    from services.up import run

    run(port=port, examples=examples, data_dir=data_dir)


@app.command()
def api(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Uvicorn worker processes.")] = 1,
) -> None:
    """Serves the HTTP API (production: behind a reverse proxy)."""
    import uvicorn

    uvicorn.run("services.api.app:create_app", factory=True, host=host, port=port, workers=workers)


@app.command()
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
    from workers.app import app as celery_app

    argv = ["worker", "-Q", queues, "-c", str(concurrency), "-l", "INFO"]
    celery_app.worker_main([*argv, "-B"] if beat else argv)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Brings the database schema up to date."""
    from services.db import upgrade_schema

    upgrade_schema()
    typer.echo("database schema is up to date")


@ingest_app.command("reconcile")
def ingest_reconcile() -> None:
    """Lists the bucket and registers (and queues) recordings that events missed."""
    from workers.tasks import reconcile_now

    typer.echo(json.dumps(reconcile_now()))


@rules_app.command("test")
def rules_test(
    pack: Annotated[
        str | None, typer.Argument(help="A pack id or file; all packs if left out.")
    ] = None,
) -> None:
    """Validates rule packs and runs their test cases; exits 1 on any failure."""
    from services.config import get_settings
    from services.scoring import pack as pack_module
    from services.scoring import packtests

    rules_dir = get_settings().rules_dir
    if pack is None:
        paths = sorted(rules_dir.glob("*.yaml"))
    elif Path(pack).is_file():
        paths = [Path(pack)]
    else:
        paths = [rules_dir / f"{pack}.yaml"]
    failed = False
    for path in paths:
        try:
            compiled = pack_module.load(path)
        except (pack_module.PackError, OSError) as exc:
            typer.echo(f"FAIL {path}: {exc}")
            failed = True
            continue
        count, failures = packtests.run(compiled)
        verdict = "ok  " if not failures else "FAIL"
        typer.echo(
            f"{verdict} {compiled.id} {compiled.version}: {count} cases, {len(failures)} failed"
        )
        for failure in failures:
            typer.echo(f"     {failure}")
        failed = failed or bool(failures)
    raise typer.Exit(1 if failed or not paths else 0)


@models_app.command("evaluate-sentiment")
def evaluate_sentiment() -> None:
    """Cross-validates the sentiment classifier on its data and prints the figures."""
    from models.sentiment.classifier import evaluate

    for key, value in evaluate().items():
        typer.echo(f"{key:14} {value}")


def main() -> None:
    """Entry point with logging configured."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app()


if __name__ == "__main__":
    main()
