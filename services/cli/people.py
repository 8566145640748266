"""People and their access from the command line: users (`users`), API tokens (`tokens`) and
the areas inspectors are assigned to (`areas`). What a command changes is audited as the
operating-system user who ran it."""

import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer

users_app = typer.Typer(help="People who sign in.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for integrations.", no_args_is_help=True)
areas_app = typer.Typer(help="Areas inspectors are assigned to.", no_args_is_help=True)


def _as_operator() -> "AbstractContextManager[object]":
    """Audits what a command does as the operating-system user on this machine."""
    import getpass
    import socket

    from services.context import acting

    return acting(actor=f"cli:{getpass.getuser()}", address=f"cli@{socket.gethostname()}")


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
    from services.people import manage

    try:
        hired = date.fromisoformat(hired_on) if hired_on else None
    except ValueError:
        raise typer.BadParameter("--hired-on is a date, YYYY-MM-DD") from None
    password = _password(password_stdin)
    with _as_operator(), session_scope() as db_session:
        manage.add_user(
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
        Path, typer.Argument(help="CSV: username, role, team, agent_id, display_name, hired_on.")
    ],
    initial_password_stdin: Annotated[
        bool, typer.Option(help="Give every user this password, read from standard input.")
    ] = False,
    sign_in_links: Annotated[
        bool, typer.Option(help="Print a one-time sign-in link per user, to set a password.")
    ] = False,
) -> None:
    """Creates users from a CSV file, all or none."""
    from services.audit import service as audit_service
    from services.db import session_scope
    from services.people import service as people_service
    from services.people import signin

    password = sys.stdin.readline().rstrip("\n") if initial_password_stdin else None
    with _as_operator(), session_scope() as db_session:
        users = people_service.import_users(
            db_session=db_session, text=path.read_text(encoding="utf-8"), initial_password=password
        )
        audit_service.record(
            db_session=db_session, action="user.import",
            detail={"users": [u.username for u in users]},
        )  # fmt: skip
        links = [
            (u.username, *signin.create_sign_in_link(db_session=db_session, user=u))
            for u in (users if sign_in_links else [])
        ]
    typer.echo(f"imported {len(users)} users")
    for username, link, expires in links:
        typer.echo(f"{username}\t{link}\t{expires:%Y-%m-%dT%H:%M:%SZ}")


@users_app.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Option()],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input.")
    ] = False,
) -> None:
    """Sets a user's password (their browser sessions end; tokens stay valid)."""
    from services.audit import service as audit_service
    from services.db import session_scope
    from services.people import service as people_service
    from services.people import signin

    password = _password(password_stdin)
    with _as_operator(), session_scope() as db_session:
        user = people_service.get_by_username_or_raise(db_session=db_session, username=username)
        signin.set_password(db_session=db_session, user=user, password=password)
        audit_service.record(
            db_session=db_session, action="user.password_set", detail={"user": username}
        )
    typer.echo(f"password of {username} set; their browser sessions ended")


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Prints a new API token for a user, once; only its hash is kept."""
    from services.db import session_scope
    from services.people import manage
    from services.people import service as people_service

    with _as_operator(), session_scope() as db_session:
        user = people_service.get_by_username_or_raise(db_session=db_session, username=username)
        typer.echo(manage.add_token(db_session=db_session, user=user, name=name))


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The number after zj_ in the token.")],
) -> None:
    """Revokes a token at once."""
    from services.db import session_scope
    from services.people import manage

    with _as_operator(), session_scope() as db_session:
        manage.revoke_token(db_session=db_session, token_id=token_id)
    typer.echo(f"token {token_id} revoked")


@areas_app.command("create")
def areas_create(
    name: Annotated[str, typer.Option()],
    queue: Annotated[list[str] | None, typer.Option(help="A queue in the area (repeat).")] = None,
    team: Annotated[list[str] | None, typer.Option(help="A team in the area (repeat).")] = None,
) -> None:
    """Creates an area: the calls of these queues and teams."""
    from services.db import session_scope
    from services.people import manage

    with _as_operator(), session_scope() as db_session:
        area = manage.add_area(
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
    from services.people import manage
    from services.people import service as people_service

    with _as_operator(), session_scope() as db_session:
        user = people_service.get_by_username_or_raise(db_session=db_session, username=username)
        manage.assign_areas(db_session=db_session, user=user, area_ids=area_id)
    typer.echo(f"{username}: areas {', '.join(map(str, area_id))}")
