"""A QA floor (tests/floor.py) for the session tests, written in the module's transaction: it is
the only team and sampling plan those tests see."""

import pytest

from tests.floor import Floor, build


@pytest.fixture(scope="module")
def floor(module_db: object) -> Floor:
    """Scored calls of two agents, sampled and assigned to the floor's inspector."""
    return build(team="loop-floor")  # a team name no other text on a form contains
