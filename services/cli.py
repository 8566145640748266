"""The ``zhijian`` command line."""

import json
import logging
import os
import sys
from datetime import UTC, datetime
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
users_app = typer.Typer(help="People who sign in.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for integrations.", no_args_is_help=True)
areas_app = typer.Typer(help="Areas inspectors are assigned to.", no_args_is_help=True)
retention_app = typer.Typer(
    help="Deleting what is past the retention period.", no_args_is_help=True
)
discipline_app = typer.Typer(help="The discipline ladder.", no_args_is_help=True)
calibration_app = typer.Typer(help="Calibration sessions.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
app.add_typer(discipline_app, name="discipline")
app.add_typer(calibration_app, name="calibration")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(areas_app, name="areas")
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(rules_app, name="rules")
app.add_typer(ingest_app, name="ingest")


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


@app.command()
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
    # The worker loads its app by name, as `celery -A workers.app` would: this command only
    # starts it, and the CLI stays free of the task code.
    argv = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
    argv += ["-Q", queues, "-c", str(concurrency), "-l", "INFO"]
    os.execv(sys.executable, [*argv, "-B"] if beat else argv)  # noqa: S606 - no shell needed


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


@rules_app.command("test")
def rules_test(
    pack: Annotated[
        str | None, typer.Argument(help="A pack id or file; all packs if left out.")
    ] = None,
) -> None:
    """Validates rule packs and runs their test cases; exits 1 on any failure."""
    from services.config import get_settings
    from services.scoring.rules import pack as pack_module
    from services.scoring.rules import packtests

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
    from services.text.normalise import normalise

    for key, value in evaluate(normalise).items():
        typer.echo(f"{key:14} {value}")


@models_app.command("evaluate-roles")
def evaluate_roles() -> None:
    """Cross-validates the agent/customer language classifier (mono recordings) on its data."""
    from models.speaker.roles import evaluate

    for key, value in evaluate().items():
        typer.echo(f"{key:14} {value}")


def _password(password_stdin: bool) -> str:
    import sys

    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="Sign-in name.")],
    role: Annotated[
        str, typer.Option(help="admin, qa_manager, inspector, team_lead, training_lead, agent.")
    ],
    team: Annotated[str | None, typer.Option(help="The team (team leads, agents).")] = None,
    agent_id: Annotated[
        str | None, typer.Option(help="The agent id recordings carry (agents).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input.")
    ] = False,
    hired_on: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; new hires are sampled more often.")
    ] = None,
) -> None:
    """Creates a user (the password is asked for, or read from standard input)."""
    from datetime import date

    from services.db import session_scope
    from services.people import service as people_service

    try:
        hired = date.fromisoformat(hired_on) if hired_on else None
    except ValueError:
        raise typer.BadParameter("--hired-on is a date, YYYY-MM-DD") from None
    password = _password(password_stdin)
    with session_scope() as db_session:
        people_service.create_user(
            db_session=db_session,
            username=username,
            role=role,
            password=password,
            team=team,
            agent_id=agent_id,
            hired_on=hired,
        )
    typer.echo(f"created {role} {username}")


@users_app.command("import")
def users_import(
    path: Annotated[
        Path, typer.Argument(help="CSV: username, role, team, agent_id, display_name.")
    ],
) -> None:
    """Creates users from a CSV file, all or none."""
    from services.db import session_scope
    from services.people import service as people_service

    with session_scope() as db_session:
        count = people_service.import_users(
            db_session=db_session, text=path.read_text(encoding="utf-8")
        )
    typer.echo(f"imported {count} users")


@users_app.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Option()],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input.")
    ] = False,
) -> None:
    """Sets a user's password."""
    from services.db import session_scope
    from services.people import service as people_service

    password = _password(password_stdin)
    with session_scope() as db_session:
        user = people_service.get_by_username_or_raise(db_session=db_session, username=username)
        people_service.set_password(db_session=db_session, user=user, password=password)
    typer.echo(f"password of {username} set")


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Prints a new API token for a user, once; only its hash is kept."""
    from services.db import session_scope
    from services.people import service as people_service

    with session_scope() as db_session:
        user = people_service.get_by_username_or_raise(db_session=db_session, username=username)
        typer.echo(people_service.create_token(db_session=db_session, user=user, name=name))


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The number after zj_ in the token.")],
) -> None:
    """Revokes a token at once."""
    from services.db import session_scope
    from services.people import service as people_service

    with session_scope() as db_session:
        people_service.revoke_token(db_session=db_session, token_id=token_id)
    typer.echo(f"token {token_id} revoked")


@areas_app.command("create")
def areas_create(
    name: Annotated[str, typer.Option()],
    queue: Annotated[list[str] | None, typer.Option(help="A queue in the area (repeat).")] = None,
    team: Annotated[list[str] | None, typer.Option(help="A team in the area (repeat).")] = None,
) -> None:
    """Creates an area: the calls of these queues and teams."""
    from services.db import session_scope
    from services.people import service as people_service

    with session_scope() as db_session:
        area = people_service.create_area(
            db_session=db_session, name=name, queues=queue or [], teams=team or []
        )
        typer.echo(f"area {area.id} {name}")


@areas_app.command("assign")
def areas_assign(
    username: Annotated[str, typer.Option()],
    area_id: Annotated[list[int], typer.Option(help="An area id (repeat).")],
) -> None:
    """Sets an inspector's current areas."""
    from services.db import session_scope
    from services.people import service as people_service

    with session_scope() as db_session:
        user = people_service.get_by_username_or_raise(db_session=db_session, username=username)
        people_service.assign_areas(db_session=db_session, user=user, area_ids=area_id)
    typer.echo(f"{username}: areas {', '.join(map(str, area_id))}")


@retention_app.command("run")
def retention_run() -> None:
    """Deletes recordings and transcripts older than ZHIJIAN_RETENTION_DAYS (audited)."""
    from services.calls.maintenance import retention_now
    from services.config import get_settings

    if get_settings().retention_days is None:
        typer.echo("ZHIJIAN_RETENTION_DAYS is not set: everything is kept")
        return
    typer.echo(json.dumps({"deleted": retention_now()}))


@discipline_app.command("recompute")
def discipline_recompute(
    agent: Annotated[str | None, typer.Option(help="One agent id; default: every agent.")] = None,
) -> None:
    """Rebuilds the ladder from the evaluations and prints each agent's records by tier."""
    from services.db import session_scope
    from services.qa.discipline import service as discipline

    with session_scope() as db_session:
        result = {}
        for agent_id in [agent] if agent else discipline.agent_ids(db_session=db_session):
            rows = discipline.recompute(db_session=db_session, agent_id=agent_id)
            result[agent_id] = [f"{r.counted_as}:{r.tier}" for r in rows]
    typer.echo(json.dumps(result, ensure_ascii=False))


@calibration_app.command("report")
def calibration_report(
    days: Annotated[int, typer.Option(help="The rolling window, in days.")] = 90,
    team: Annotated[str | None, typer.Option(help="One team's sessions only.")] = None,
    as_of: Annotated[
        datetime | None, typer.Option(help="End of the window (UTC); default: now.")
    ] = None,
) -> None:
    """Prints each inspector's bias against the gold, agreement and recalibration flag."""
    from services.calibration import results
    from services.db import session_scope, utcnow

    end = as_of.replace(tzinfo=UTC) if as_of is not None else utcnow()
    with session_scope() as db_session:
        found = results.report(db_session=db_session, as_of=end, days=days, team=team)
    typer.echo(
        f"校准报告 Calibration report: {len(found['sessions'])} sessions, {days} days to "
        f"{end:%Y-%m-%d %H:%M} UTC, tolerance ±{found['tolerance']:.0%} of the maximum"
    )
    typer.echo(f"{'inspector':<24} {'bias (95% CI)':<26} {'agreement':>9}  leaning  flag")
    for name, row in found["inspectors"].items():
        bias, agree = row["bias"], row["agreement"]
        shown = f"{bias['value']:+.1f} ({bias['low']:+.1f}, {bias['high']:+.1f})" if bias else "-"
        share = f"{agree['value']:.0%}" if agree else "-"
        flag = "需再校准 recalibrate" if row["flagged"] else ""
        typer.echo(f"{name:<24} {shown:<26} {share:>9}  {row['leaning']:<8} {flag}")


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


if __name__ == "__main__":
    main()
