"""A QA floor (people, scored calls, reviews assigned to an inspector) for the session tests,
written in the module's transaction: it is the only team and sampling plan those tests see."""

import pytest

from tests.calibration import api


@pytest.fixture(scope="module")
def floor(module_db: object) -> api.Floor:
    """Scored calls of two agents, sampled and assigned to the floor's inspector."""
    return api.floor()
