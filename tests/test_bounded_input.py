"""Hostile input answers a clear 4xx, never a 500, and nothing of it is stored."""

import io
import json

import pytest

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    "token",
    ["zj_²_x", "zj_¹²³_x", "zj_99999999999999999999_x", "zj_9223372036854775808_x", "zj__x"],
)
def test_malformed_bearer_tokens_are_unauthenticated(anonymous, token):
    # Header bytes are read as Latin-1: "²" is one byte, and a digit to str.isdigit().
    header = f"Bearer {token}".encode("latin-1")

    response = anonymous.get("/api/v1/calls", headers={"Authorization": header})

    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "bearer token is not valid" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audit?before=99999999999999999999",
        "/api/v1/audit?before=9223372036854775808",
        "/api/v1/calls/9223372036854775808",
    ],
)
def test_ids_past_the_database_range_are_refused(client, path):
    response = client.get(path)

    assert response.status_code == 422, response.text
    assert "less than or equal to 9223372036854775807" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/calls?from=0001-01-01T00:00:00",
        "/api/v1/calls?to=9999-12-31T23:59:59%2B14:00",
        "/api/v1/calibration/report?as_of=0001-01-01T00:00:00%2B08:00",
        "/api/v1/reports/training-needs?first=0001-01-01&last=2030-01-01",
        "/api/v1/reports/training-needs?first=2030-01-01&last=9999-12-31",
    ],
)
def test_dates_outside_sane_years_are_refused_in_queries(client, path):
    response = client.get(path, headers=EN)

    assert response.status_code == 422, response.text
    assert "dates go from the year 1970 to 2199" in response.text


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00", "2199-12-31T23:00:00-05:00"]
)
def test_a_sampling_run_at_an_absurd_time_is_refused(client, at):
    plan = client.post("/api/v1/sampling/plans", json={"name": "bounds", "period": "week"})
    assert plan.status_code == 201, plan.text

    response = client.post(
        f"/api/v1/sampling/plans/{plan.json()['id']}/runs", json={"at": at}, headers=EN
    )

    assert response.status_code == 422, response.text
    assert "dates go from the year 1970 to 2199" in response.text


def test_a_calibration_deadline_in_year_9999_is_refused(client):
    session = {
        "title": "far",
        "calls": [1, 2, 3],
        "inspectors": ["a", "b"],
        "deadline": "9999-12-31T23:00:00-05:00",
    }

    response = client.post("/api/v1/calibration/sessions", json=session, headers=EN)

    assert response.status_code == 422, response.text
    assert "dates go from the year 1970 to 2199" in response.text


def test_a_rotation_for_year_one_is_refused(client):
    response = client.post(
        "/api/v1/rotation",
        json={"start": "0001-01-01T00:00:00", "end": "0001-01-08T00:00:00"},
        headers=EN,
    )

    assert response.status_code == 422, response.text
    assert "dates go from the year 1970 to 2199" in response.text


@pytest.mark.parametrize(
    "key",
    ["calls/../secret.wav", "../up.wav", "calls/./a.wav", "/calls/a.wav", "calls//a.wav", ".."],
)
def test_s3_event_keys_that_are_not_plain_paths_are_refused(client, key):
    event = {
        "Records": [
            {
                "eventName": "s3:ObjectCreated:Put",
                "s3": {"bucket": {"name": "recordings"}, "object": {"key": key, "eTag": "e"}},
            }
        ]
    }

    response = client.post("/api/v1/ingest/s3-events", json=event, headers=EN)

    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        f"the object key {key!r} is not a plain path (no . or .. parts, no empty ones)"
    )


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_non_finite_numbers_in_call_metadata_are_refused(client, number):
    before = client.get("/api/v1/calls").json()["items"]
    metadata = '{"agent_id": "A-inf", "extra": {"weight": ' + number + "}}"

    response = client.post(
        "/api/v1/calls",
        files={"audio": ("inf.wav", io.BytesIO(b"RIFF" + b"\0" * 64), "audio/wav")},
        data={"metadata": metadata},
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("metadata is invalid at extra.weight")
    assert client.get("/api/v1/calls").json()["items"] == before


def test_finite_numbers_in_call_metadata_are_kept(client):
    metadata = {"agent_id": "A-fin", "extra": {"weight": 2.5e-300, "count": 12}}

    response = client.post(
        "/api/v1/calls",
        files={"audio": ("fin.wav", io.BytesIO(b"RIFF" + b"\1" * 64), "audio/wav")},
        data={"metadata": json.dumps(metadata)},
    )

    assert response.status_code == 202, response.text
    stored = client.get(f"/api/v1/calls/{response.json()['id']}").json()
    assert stored["extra"] == {"weight": 2.5e-300, "count": 12}


@pytest.mark.parametrize("earned", ["1e400", "-1e400", "NaN", "Infinity"])
def test_non_finite_numbers_in_bodies_are_refused(client, earned):
    body = '{"decision": "overturned", "comment": "x", "earned": ' + earned + "}"

    response = client.post(
        "/api/v1/disputes/1/decision",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "earned"]
