"""People from the command line and from CSV: users, tokens, areas."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from services.errors import InvalidInput

ZHIJIAN = [sys.executable, "-m", "services.cli"]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ZHIJIAN, *args], input=stdin, capture_output=True, text=True, timeout=120, env=os.environ
    )


@pytest.mark.committed  # the command line writes in its own process
def test_users_and_tokens_from_the_command_line(anonymous):
    name = "cli-night-lead"
    created = _run(
        "users",
        "create",
        "--username",
        name,
        "--role",
        "team_lead",
        "--team",
        "night",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    token = _run("tokens", "create", "--username", name).stdout.strip()

    assert created.returncode == 0, created.stderr
    anonymous.headers["Authorization"] = f"Bearer {token}"
    assert anonymous.get("/api/v1/me").json()["team"] == "night"
    assert _run("tokens", "revoke", token.split("_")[1]).returncode == 0
    assert anonymous.get("/api/v1/me").status_code == 401
    again = _run(
        "users",
        "create",
        "--username",
        name,
        "--role",
        "agent",
        "--agent-id",
        "X",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert again.returncode == 2 and "taken" in again.stderr
    short = _run(
        "users",
        "create",
        "--username",
        name + "x",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 2 and "a password has at least 10 characters" in short.stderr


@pytest.mark.committed  # the command line writes in its own process
def test_the_command_line_is_audited_and_refuses_unknown_areas(tmp_path: Path):
    from services.audit.tables import AuditEntry
    from services.db import session_scope

    csv = tmp_path / "people.csv"
    # Agents, not inspectors: committed data other tests see, and they count the inspectors.
    csv.write_text(
        "username,role,agent_id\ncli-imp-1,agent,CLI-1\ncli-imp-2,agent,CLI-2\n", encoding="utf-8"
    )
    imported = _run("users", "import", str(csv), "--sign-in-links")
    unknown = _run("areas", "assign", "--username", "cli-imp-1", "--area-id", "999999999")

    assert imported.returncode == 0, imported.stderr
    lines = imported.stdout.splitlines()
    assert lines[0] == "imported 2 users"
    assert [line.split("\t")[0] for line in lines[1:]] == ["cli-imp-1", "cli-imp-2"]
    assert all(line.split("\t")[1].startswith("zjl_") for line in lines[1:])
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    # An agent watches no area (tests/test_areas_cli.py refuses the unknown area for an inspector).
    assert unknown.stderr.strip() == "zhijian: only inspectors watch areas; cli-imp-1 is agent"
    with session_scope() as db_session:
        entry = db_session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.import").order_by(AuditEntry.id)
        ).all()[-1]
        assert entry.detail == {"users": ["cli-imp-1", "cli-imp-2"]}
        assert entry.username.startswith("cli:") and entry.address.startswith("cli@")


def test_csv_import_is_all_or_nothing(db_session, tmp_path: Path):
    from services.people import service as people_service

    good = (
        "username,role,team,agent_id,hired_on\nlead,team_lead,t9,,\nagent,agent,t9,A,2026-10-01\n"
    )
    bad = "username,role,team,agent_id\nother,agent,t9,B\nboss,emperor,,\n"

    assert len(people_service.import_users(db_session=db_session, text=good)) == 2
    hired = people_service.get_by_username(db_session=db_session, username="agent").hired_on
    assert str(hired) == "2026-10-01"
    with pytest.raises(InvalidInput, match="line 2"):
        people_service.import_users(
            db_session=db_session, text="username,role,agent_id,hired_on\nx,agent,X,soon\n"
        )
    with pytest.raises(InvalidInput, match="line 3: unknown role 'emperor'"):
        people_service.import_users(db_session=db_session, text=bad)
    assert people_service.get_by_username(db_session=db_session, username="other") is None
    with pytest.raises(InvalidInput, match="columns username and role"):
        people_service.import_users(db_session=db_session, text="name,job\nx,y\n")
    with pytest.raises(InvalidInput, match="agent id"):
        people_service.import_users(db_session=db_session, text="username,role\nlonely,agent\n")


def test_a_name_taken_is_a_conflict_and_the_rest_of_the_work_stays(db_session):
    from services.errors import Conflict
    from services.people import service as people_service
    from services.people.tables import Area

    first = people_service.create_area(db_session=db_session, name="desk", queues=["q"], teams=[])
    pending = Area(name="other", queues=[], teams=[])
    db_session.add(pending)  # not yet written when the clash happens

    with pytest.raises(Conflict, match="exists"):
        people_service.create_area(db_session=db_session, name="desk", queues=[], teams=[])
    db_session.commit()

    names = set(db_session.scalars(select(Area.name)))
    assert names == {first.name, pending.name}
