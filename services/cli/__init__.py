"""The ``zhijian`` command line: the top-level command, its options and entry point (``main``).

The commands are grouped in modules of their own, registered here: ``serve.py`` (up, api,
worker), ``maintenance.py`` (db, ingest, retention), ``people.py`` (users, tokens, areas),
``checks.py`` (rules, models), ``qa.py`` (discipline, calibration) and ``rescore.py``
(rescore).
"""

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from services.cli import checks, maintenance, people, qa, rescore, serve

app = typer.Typer(
    help="zhijian: call-center QA and speech analytics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(maintenance.retention_app, name="retention")
app.add_typer(qa.discipline_app, name="discipline")
app.add_typer(qa.calibration_app, name="calibration")
app.add_typer(people.users_app, name="users")
app.add_typer(people.tokens_app, name="tokens")
app.add_typer(people.areas_app, name="areas")
app.add_typer(checks.models_app, name="models")
app.add_typer(maintenance.db_app, name="db")
app.add_typer(checks.rules_app, name="rules")
app.add_typer(maintenance.ingest_app, name="ingest")


@app.callback()
def options(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where embedded data lives (ZHIJIAN_DATA_DIR, default .zhijian): every command "
            "given the same one acts on the same database as `zhijian up`."
        ),
    ] = None,
) -> None:
    """zhijian: call-center QA and speech analytics."""
    if data_dir is not None:
        # Through the environment, so that the settings and any process started from here
        # (a worker, `zhijian up`'s children) read the same.
        from services.config import get_settings

        os.environ["ZHIJIAN_DATA_DIR"] = str(data_dir.resolve())
        get_settings.cache_clear()


app.command()(serve.up)
app.command()(serve.api)
app.command()(serve.worker)
app.command()(rescore.rescore)


def main() -> None:
    """Entry point with logging configured; zhijian's own errors print as one line, exit 2."""
    from services.errors import ZhijianError

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from sqlalchemy.exc import DBAPIError

    try:
        app()
    except ZhijianError as exc:
        typer.echo(f"zhijian: {exc}", err=True)
        raise SystemExit(2) from None
    except DBAPIError as exc:
        if not _missing_table(exc):
            raise
        typer.echo(f"zhijian: {_uninitialised(exc)}", err=True)
        raise SystemExit(2) from None


def _missing_table(exc: Exception) -> bool:
    """Whether a database error says a table is not there (SQLite, PostgreSQL)."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == "42P01" or "no such table" in str(orig)


def _uninitialised(exc: Exception) -> str:
    """One line: which database lacks zhijian's tables, and how to create them."""
    from sqlalchemy.engine import make_url

    from services.config import get_settings

    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
    return (
        f"数据库未初始化 / the database {url} has no zhijian tables ({reason}): create them "
        "with `zhijian db upgrade`, or start `zhijian up` once with the same data directory"
    )
