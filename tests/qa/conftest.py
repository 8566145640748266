"""The QA floor (tests/floor.py) for the review tests, in the module's transaction."""

import pytest

from tests.floor import Floor, build


@pytest.fixture(scope="module")
def floor(module_db: object) -> Floor:
    """Scored calls of two agents, sampled and assigned to the one inspector who may take them."""
    return build()
