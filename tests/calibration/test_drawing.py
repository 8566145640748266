"""Drawing a session's calls: the database picks the calls evaluated in the window (a call
evaluated before it is left out, a re-evaluated call counts once), and too few is a clear 4xx."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update


@pytest.fixture(scope="module")
def reviewed(floor):
    """Three of the floor's calls evaluated; the first one long ago."""
    from services.db import session_scope, utcnow
    from services.qa.evaluations.tables import Evaluation

    for name in ("first", "second", "third"):
        floor.review(name)
    with session_scope() as db_session:
        db_session.execute(
            update(Evaluation)
            .where(Evaluation.call_id == floor.calls["first"])
            .values(created_at=utcnow() - timedelta(days=30))
        )
    return floor


def test_only_calls_evaluated_in_the_window_are_drawn(reviewed):
    from services.calibration import drawing
    from services.db import session_scope
    from services.people import service as people_service

    with session_scope() as db_session:
        manager = people_service.get_by_username(
            db_session=db_session, username=reviewed.manager_name
        )
        assert manager is not None
        principal = people_service.principal(db_session=db_session, user_id=manager.id, via="token")
        assert principal is not None
        week = drawing.reviewed_calls(db_session=db_session, principal=principal, days=7)
        month = drawing.reviewed_calls(db_session=db_session, principal=principal, days=60)
    calls = reviewed.calls
    assert {calls["second"], calls["third"]} <= set(week) and calls["first"] not in week
    assert {calls["first"], calls["second"], calls["third"]} <= set(month)
    assert week == sorted(set(week))  # each call once, however many versions


def test_too_few_reviewed_calls_is_refused_with_the_count(reviewed):
    body = {"calls": None, "draw": {"days": 7, "count": 5, "seed": 1}}
    refused = reviewed.manager.post(
        "/api/v1/calibration/sessions",
        json={"title": "t", "inspectors": ["a", "b"], "deadline": "2031-01-01T00:00:00Z", **body},
    )
    assert refused.status_code == 422
    assert re.search(r"only [2-4] calls were reviewed in the last 7 days", refused.text)
