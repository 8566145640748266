"""The calls list in a time window: by call start, newest first, paged without gaps or repeats."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest


def _register(db_session, starts: list[datetime], team: str) -> dict[int, datetime]:
    from services import storage
    from services.calls import service as calls_service
    from services.calls.schemas import CallMetadata

    made = {}
    for n, started_at in enumerate(starts):
        info = storage.ObjectInfo("listing", f"window/{team}/{n}.wav", "v1", 1, {})
        call, _ = calls_service.register(
            db_session=db_session,
            info=info,
            source="reconcile",
            metadata=CallMetadata(team=team, agent_id=f"{team}-A", started_at=started_at),
        )
        made[call.id] = started_at
    db_session.commit()
    return made


def _pages(client, params: dict) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/calls", params={**params, **({"cursor": cursor} if cursor else {})}
        ).json()
        pages.append([c["id"] for c in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("filters", [{"team": "window"}, {"agent_id": "window-A"}])
def test_a_window_pages_by_call_start_newest_first_without_gaps_or_repeats(
    client, db_session, filters
):
    march = datetime(2026, 3, 1, tzinfo=UTC)
    # Registered out of start order, and two calls starting at the same moment: the id breaks
    # the tie, and a page boundary between them must lose neither.
    starts = [march + timedelta(days=d) for d in (5, 1, 20, 5, 9, 30, 2, 5)]
    made = _register(db_session, starts, "window")
    _register(db_session, [march - timedelta(days=1), march + timedelta(days=31)], "window")

    window = {"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}
    pages = _pages(client, {**filters, **window, "limit": 3})

    assert [len(p) for p in pages] == [3, 3, 2]
    expected = sorted(made, key=lambda i: (made[i], i), reverse=True)
    assert [i for page in pages for i in page] == expected


def test_without_a_window_the_list_stays_in_arrival_order(client, db_session):
    march = datetime(2026, 3, 1, tzinfo=UTC)
    made = _register(db_session, [march + timedelta(days=d) for d in (3, 1, 2)], "arrival")

    pages = _pages(client, {"team": "arrival", "limit": 2})

    assert [i for page in pages for i in page] == sorted(made, reverse=True)


def _cursor(fields: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


@pytest.mark.parametrize(
    ("params", "cursor"),
    [
        ({"from": "2026-03-01T00:00:00Z"}, {"before": 5}),  # an arrival cursor in a window
        ({}, {"before": 5, "at": "2026-03-02T00:00:00+00:00"}),  # a window's cursor outside one
        ({"to": "2026-04-01T00:00:00Z"}, {"before": 5, "at": "not a time"}),
        ({"to": "2026-04-01T00:00:00Z"}, {"before": 5, "at": "0001-01-01T00:00:00+00:00"}),
        ({"to": "2026-04-01T00:00:00Z"}, {"before": 5, "at": 17}),
    ],
)
def test_a_cursor_of_the_other_order_or_not_ours_is_refused(client, params, cursor):
    answer = client.get("/api/v1/calls", params={**params, "cursor": _cursor(cursor)})

    assert answer.status_code == 422
