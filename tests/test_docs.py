"""The API's docs page works on a network with no internet, and its "Authorize" button works:
the page's files come from zhijian, and the OpenAPI document says how each operation
authenticates."""

import re

import pytest

from tests import factories

ASSET = re.compile(r"""(?:src|href)="([^"]+)"|url: '([^']+)'""")


def _references(html: str) -> list[str]:
    return [a or b for a, b in ASSET.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_from_zhijian(anonymous, page):
    html = anonymous.get(page)
    assert html.status_code == 200

    references = _references(html.text)
    assert not re.search(r"https?://|//[a-z]", html.text.replace("window.location.origin", ""))
    scripts = [r for r in references if r.endswith(".js")]
    assert scripts and all(r.startswith("/") for r in references), references
    for reference in references:
        asset = anonymous.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.content) > 100, reference
    bundle = anonymous.get(scripts[0]).text
    assert "SwaggerUIBundle" in bundle if page == "/docs" else "Redoc" in bundle


def test_the_document_declares_bearer_and_session_with_csrf(anonymous):
    document = anonymous.get("/openapi.json").json()

    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {
        "type": "http", "scheme": "bearer", "description": schemes["bearerToken"]["description"],
    }  # fmt: skip
    assert (schemes["sessionCookie"]["in"], schemes["sessionCookie"]["name"]) == (
        "cookie",
        "zhijian_session",
    )
    assert (schemes["csrfToken"]["in"], schemes["csrfToken"]["name"]) == ("header", "X-CSRF-Token")
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert operations[("GET", "/api/v1/calls")]["security"] == [
        {"bearerToken": []},
        {"sessionCookie": []},
    ]
    assert operations[("POST", "/api/v1/calls")]["security"] == [
        {"bearerToken": []},
        {"sessionCookie": [], "csrfToken": []},
    ]
    assert {"webhookSecret": []} in operations[("POST", "/api/v1/ingest/s3-events")]["security"]
    open_ones = {key for key, operation in operations.items() if "security" not in operation}
    assert open_ones == {
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/sign-in-link"),  # the one-time link is the credential
        ("GET", "/healthz"),
        # The signed link is the credential:
        ("GET", "/api/v1/calls/{call_id}/audio/stream"),
        ("GET", "/api/v1/calibration/sessions/{session_id}/calls/{position}/audio/stream"),
    }


def test_a_bearer_token_as_swagger_sends_it_works(anonymous, db_session):
    user, token = factories.user(db_session, "inspector")
    db_session.commit()

    # Swagger UI's "Authorize" with an http bearer scheme sends exactly this header.
    me = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_a_session_signed_in_on_the_page_changes_things_with_its_csrf_token(anonymous, db_session):
    user, _token = factories.user(db_session, "qa_manager")
    db_session.commit()
    signed_in = anonymous.post(
        "/api/v1/auth/login", json={"username": user.username, "password": factories.PASSWORD}
    )
    assert anonymous.get("/api/v1/me").json()["username"] == user.username  # the cookie alone

    without = anonymous.post("/api/v1/auth/logout")
    assert without.status_code == 403 and "X-CSRF-Token" in without.json()["detail"]
    # The CSRF token entered under "Authorize" goes out as this header.
    signed_out = anonymous.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": signed_in.json()["csrf_token"]}
    )
    assert signed_out.status_code == 204
    assert anonymous.get("/api/v1/me").status_code == 401
