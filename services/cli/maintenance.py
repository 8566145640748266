"""Keeping an installation in order: the database schema (`db`), registering what the bucket
holds (`ingest`), deleting what is past the retention period (`retention`)."""

import json

import typer

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
ingest_app = typer.Typer(help="Register recordings.", no_args_is_help=True)
retention_app = typer.Typer(
    help="Deleting what is past the retention period.", no_args_is_help=True
)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Brings the database schema up to date."""
    from services.db import upgrade_schema

    upgrade_schema()
    typer.echo("database schema is up to date")


@ingest_app.command("reconcile")
def ingest_reconcile() -> None:
    """Lists the bucket and registers (and queues) recordings that events missed."""
    from services.calls.maintenance import reconcile_now

    typer.echo(json.dumps(reconcile_now()))


@retention_app.command("run")
def retention_run() -> None:
    """Deletes recordings and transcripts older than ZHIJIAN_RETENTION_DAYS (audited)."""
    from services.calls.maintenance import retention_now
    from services.config import get_settings

    if get_settings().retention_days is None:
        typer.echo("ZHIJIAN_RETENTION_DAYS is not set: everything is kept")
        return
    typer.echo(json.dumps({"deleted": retention_now()}))
