"""Signing in: a throttle parallel guessing cannot outrun, 401 for wrong credentials, password
changes that end the other sessions, one-time sign-in links."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests import factories

NEW_PASSWORD = "a brand new passphrase"


def _login(client, username: str, password: str = factories.PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_parallel_guesses_get_at_most_five_password_checks(live_url, monkeypatch):
    from services.db import session_scope

    with session_scope() as db_session:
        username = factories.user(db_session, "agent", agent_id=factories.unique("GUESS"))[
            0
        ].username
    checks, lock = [], threading.Lock()
    verify = PasswordHasher.verify

    def counting(self, hashed, password):
        with lock:
            checks.append(password)
        return verify(self, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    start = threading.Barrier(40)

    def guess(number: int) -> int:
        with httpx.Client(base_url=live_url, timeout=60) as client:
            start.wait()
            return _login(client, username, f"guess number {number}").status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(guess, range(40)))

    assert len(checks) <= 5, checks
    assert sorted(set(answers)) == [401, 429], answers
    assert answers.count(401) == len(checks)
    with httpx.Client(base_url=live_url) as client:
        assert _login(client, username).status_code == 429  # the right one waits too


def test_wrong_credentials_answer_401_and_a_success_resets_the_count(anonymous, db_session):
    username = factories.user(db_session, "qa_manager")[0].username
    db_session.commit()

    wrong = [_login(anonymous, username, "not the password").status_code for _ in range(4)]
    right = _login(anonymous, username)
    after = [_login(anonymous, username, "not the password").status_code for _ in range(5)]

    assert wrong == [401] * 4
    assert right.status_code == 200 and right.json()["username"] == username
    assert after == [401] * 5  # the count started again at the success
    assert _login(anonymous, username, "not the password").status_code == 429
    unknown = _login(anonymous, "nobody-" + username, "whatever")
    assert unknown.status_code == 401 and unknown.headers["WWW-Authenticate"] == "Bearer"
    assert unknown.json()["detail"] == _login(anonymous, username + "x", "y").json()["detail"]


def test_a_password_change_ends_the_other_sessions_not_this_one_nor_tokens(db_session):
    from services.api.app import create_app

    user, token = factories.user(db_session, "inspector")
    db_session.commit()
    app = create_app()
    here, elsewhere, integration = TestClient(app), TestClient(app), TestClient(app)
    integration.headers["Authorization"] = f"Bearer {token}"
    csrf = _login(here, user.username).json()["csrf_token"]
    assert _login(elsewhere, user.username).status_code == 200

    wrong = here.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    changed = here.post(
        "/api/v1/me/password",
        json={"current_password": factories.PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )

    assert wrong.status_code == 401
    assert changed.status_code == 204, changed.text
    assert here.get("/api/v1/me").json()["username"] == user.username
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert integration.get("/api/v1/me").status_code == 200  # tokens are revoked on their own
    assert _login(TestClient(app), user.username).status_code == 401
    assert _login(TestClient(app), user.username, NEW_PASSWORD).status_code == 200


def test_short_new_passwords_are_refused(client_as):
    inspector = client_as("inspector")

    answer = inspector.post(
        "/api/v1/me/password",
        json={"current_password": factories.PASSWORD, "new_password": "short"},
    )

    assert answer.status_code == 422 and "10" in answer.json()["detail"]


def test_an_admin_setting_a_password_ends_every_session(client, db_session):
    from services.api.app import create_app

    user, _token = factories.user(db_session, "team_lead", team="t-pw")
    db_session.commit()
    browser = TestClient(create_app())
    assert _login(browser, user.username).status_code == 200

    answer = client.post(f"/api/v1/users/{user.id}/password", json={"password": NEW_PASSWORD})

    assert answer.status_code == 204
    assert browser.get("/api/v1/me").status_code == 401
    assert _login(browser, user.username, NEW_PASSWORD).status_code == 200


def test_a_sign_in_link_sets_a_password_once(client, anonymous):
    created = client.post(
        "/api/v1/users",
        json={"username": "newcomer-link", "role": "inspector", "sign_in_link": True},
    ).json()
    link = created["sign_in_link"]["link"]
    anonymous.headers.pop("Authorization")

    assert created["has_password"] is False
    assert _login(anonymous, "newcomer-link", NEW_PASSWORD).status_code == 401
    used = anonymous.post(
        "/api/v1/auth/sign-in-link", json={"link": link, "password": NEW_PASSWORD}
    )
    again = anonymous.post("/api/v1/auth/sign-in-link", json={"link": link, "password": "x" * 12})
    short = anonymous.post("/api/v1/auth/sign-in-link", json={"link": "zjl_nope", "password": "x"})

    assert used.status_code == 204, used.text
    assert again.status_code == 404 and "sign-in link" in again.json()["detail"]
    assert short.status_code == 422
    assert _login(anonymous, "newcomer-link", NEW_PASSWORD).status_code == 200


def test_an_expired_sign_in_link_is_refused(client, anonymous, db_session):
    from datetime import timedelta

    from sqlalchemy import update

    from services.people.tables import SignInLink

    user = client.post("/api/v1/users", json={"username": "late-link", "role": "inspector"})
    made = client.post(f"/api/v1/users/{user.json()['id']}/sign-in-link")
    db_session.execute(
        update(SignInLink).values(expires_at=SignInLink.expires_at - timedelta(days=30))
    )
    db_session.commit()

    answer = anonymous.post(
        "/api/v1/auth/sign-in-link", json={"link": made.json()["link"], "password": NEW_PASSWORD}
    )

    assert made.status_code == 201
    assert answer.status_code == 404


@pytest.mark.parametrize(("language", "expected"), [("en", "no user"), ("zh_CN", "没有用户")])
def test_the_users_language_wins_over_accept_language(client, db_session, language, expected):
    admin, token = factories.user(db_session, "admin")
    admin.language = language
    db_session.commit()
    client.headers["Authorization"] = f"Bearer {token}"
    other = "en" if language == "zh_CN" else "zh-CN"

    answer = client.get(f"/api/v1/users/{10**12}", headers={"Accept-Language": other})

    assert answer.status_code == 404 and answer.json()["detail"].startswith(expected)
    assert client.get("/api/v1/me").json()["language"] == language
