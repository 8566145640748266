"""``zhijian areas assign`` refuses what cannot be: areas for someone who is not an inspector,
an area that does not exist. One clear line and exit status 2, never a traceback."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import delete

from services.db import session_scope
from services.people.tables import User
from tests import factories


def _assign(username: str, *area_ids: int) -> subprocess.CompletedProcess[str]:
    areas = [arg for area_id in area_ids for arg in ("--area-id", str(area_id))]
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "areas", "assign", "--username", username, *areas],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZHIJIAN_DEFAULT_LANGUAGE": "en"},
    )


@pytest.mark.committed  # the command line works in its own process
def test_areas_go_to_inspectors_only_and_must_exist():
    with session_scope() as db_session:
        agent, _ = factories.user(db_session, "agent", agent_id=factories.unique("CLI"))
        inspector, _ = factories.user(db_session, "inspector")
        inspector.active = False  # nobody's reviews may land on them meanwhile
    try:
        for_agent = _assign(agent.username, 1)
        unknown = _assign(inspector.username, 999999999, 2**70)
        nobody = _assign("nobody-at-all", 1)
    finally:  # other tests count the inspectors and users: leave none behind
        with session_scope() as db_session:
            db_session.execute(delete(User).where(User.id.in_([agent.id, inspector.id])))

    assert for_agent.returncode == 2
    assert (
        for_agent.stderr.strip()
        == f"zhijian: only inspectors watch areas; {agent.username} is agent"
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == f"zhijian: no area with id 999999999, {2**70}"
    assert nobody.returncode == 2 and "Traceback" not in nobody.stderr + unknown.stderr
