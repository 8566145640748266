"""Every time the API answers with carries its offset: the response schemas hold no time that
could go out without a zone, and a whole review loop's answers contain none."""

import re
import types
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel

from services.api.app import create_app
from services.types import as_utc

# An ISO 8601 time of day with no offset after it: what a naive datetime serialises to.
NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _zoneless(tp: Any, metadata: tuple[Any, ...], where: str, seen: set[type]) -> list[str]:
    """The places in ``tp`` where a datetime is not made aware UTC on its way out."""
    if get_origin(tp) is Annotated:
        base, *more = get_args(tp)
        return _zoneless(base, (*metadata, *more), where, seen)
    if tp is datetime:
        utc = any(isinstance(m, AfterValidator) and m.func is as_utc for m in metadata)
        return [] if utc else [where]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return []
        seen.add(tp)
        found = []
        for name, field in tp.model_fields.items():
            found += _zoneless(
                field.annotation, tuple(field.metadata), f"{tp.__name__}.{name}", seen
            )
        return found
    if get_origin(tp) in (Union, types.UnionType, list, tuple, set, dict):
        return [p for arg in get_args(tp) for p in _zoneless(arg, (), where, seen)]
    return []


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """The API's routes, those of included routers too (FastAPI keeps those apart)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += _api_routes(included.routes)
    return found


def test_no_response_schema_can_send_a_time_without_its_zone():
    routes = [r for r in _api_routes(create_app().routes) if r.response_model is not None]
    found: list[str] = []
    for route in routes:
        found += _zoneless(route.response_model, (), route.path, set())

    assert len(routes) > 30  # the walk saw the API
    assert not found, f"datetimes that may go out without an offset: {sorted(set(found))}"


def _times(value: Any) -> list[str]:
    """Every string in a JSON document that looks like a date and time."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v)]
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:", value):
        return [value]
    return []


def test_a_review_loops_answers_carry_offsets_on_every_time(floor):
    evaluation = floor.review("first")
    disputed = floor.agent.post(
        f"/api/v1/evaluations/{evaluation['id']}/disputes",
        json={"item_id": "forbidden", "reason": "不同意"},
    )
    assert disputed.status_code == 201, disputed.text
    answers = [evaluation, disputed.json()]
    for client, path in (
        (floor.agent, f"/api/v1/evaluations/{evaluation['id']}"),
        (floor.agent, "/api/v1/evaluations"),
        (floor.manager, f"/api/v1/evaluations/{evaluation['id']}"),
        (floor.manager, "/api/v1/disputes"),
        (floor.manager, "/api/v1/reviews?status=submitted"),
        (floor.inspector, "/api/v1/reviews"),
        (floor.inspector, "/api/v1/notifications"),
        (floor.agent, "/api/v1/notifications"),
        (floor.manager, f"/api/v1/calls/{floor.calls['first']}"),
        (floor.manager, f"/api/v1/agents/{floor.agent_id}/discipline"),
        (floor.manager, "/api/v1/audit"),
    ):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        answers.append(answer.json())
    times = [t for a in answers for t in _times(a)]

    assert evaluation["dispute_deadline"] and ZONED.match(evaluation["dispute_deadline"])
    assert len(times) > 20
    assert [t for t in times if not ZONED.match(t)] == []
    assert not any(NAIVE.match(t) for t in times)
