"""Signing in to the pages the way a browser does: the sign-in form's CSRF token, then the form."""

import re

from fastapi.testclient import TestClient

from tests import factories

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_FIELD.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = factories.PASSWORD) -> str:
    """Signs ``client`` in through the sign-in page; returns the session's CSRF token."""
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get(answer.headers["location"])
    return csrf_of(home.text)
