"""Errors the services do not map themselves: a race they miss is a 409, anything else stays
a server error to be fixed."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, OperationalError

from services.api.app import create_app


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _client_raising(error: Exception) -> TestClient:
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise error

    return TestClient(app, headers={"Accept-Language": "en"})


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, _Orig("23505")),  # unique violation
        OperationalError("UPDATE", {}, _Orig("40001")),  # serialization failure
        OperationalError("UPDATE", {}, _Orig("40P01")),  # deadlock
    ],
)
def test_a_race_the_services_miss_answers_409(error):
    response = _client_raising(error).get("/boom")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "another request changed the same data at the same moment; try again"
    }


def test_other_database_errors_stay_server_errors():
    client = _client_raising(IntegrityError("INSERT", {}, _Orig("23503")))  # foreign key

    with pytest.raises(IntegrityError):
        client.get("/boom")


class _NoConnection(Exception):
    """What the driver raises when no connection opens: no SQLSTATE at all."""

    sqlstate = None


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT", {}, _NoConnection("connection refused")),
        OperationalError("SELECT", {}, _Orig("57P01")),  # terminated: the server shuts down
        OperationalError("SELECT", {}, _Orig("57P03")),  # the server is starting up
        OperationalError("SELECT", {}, _Orig("08006")),  # the connection broke
    ],
)
def test_a_database_out_of_reach_answers_503_with_the_reason_at_once(error):
    response = _client_raising(error).get("/boom")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "the database cannot be reached at the moment; try again shortly"
    }
    assert response.headers["Retry-After"] == "5"


def test_an_error_of_the_statement_is_not_taken_for_an_outage():
    # A lock timeout is an OperationalError too, but the server answered.
    client = _client_raising(OperationalError("UPDATE", {}, _Orig("55P03")))

    with pytest.raises(OperationalError):
        client.get("/boom")
