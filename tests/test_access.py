"""Who may reach what: every role against every endpoint, objects included (OWASP API1).

Calls a principal may not see answer 404 exactly as calls that do not exist, so ids cannot be
probed; endpoints a role may not use at all answer 403.
"""

import time

import httpx
import pytest

from tests import factories

AREA_QUEUE = "access-q2"
PII_ROLES = ("admin", "qa_manager", "inspector_q2", "inspector_nowhere")


@pytest.fixture(scope="module")
def world(module_db):
    """Two calls in different teams/queues, and one user of every kind."""
    from services.db import session_scope
    from services.people import service as people_service

    ids, tokens = {}, {}
    with session_scope() as db_session:
        for name, agent, team, queue in (
            ("a", "ACC-A1", "acc-t1", "access-q1"),
            ("b", "ACC-B2", "acc-t2", AREA_QUEUE),
        ):
            made = factories.call(
                db_session, data=name.encode() * 64, status="received",
                agent_id=agent, team=team, queue=queue,
            )  # fmt: skip
            ids[name] = made.id
        area = people_service.create_area(
            db_session=db_session, name="area-b", queues=[AREA_QUEUE], teams=[]
        )
        for who, role, fields in (
            ("admin", "admin", {}),
            ("qa_manager", "qa_manager", {}),
            ("training_lead", "training_lead", {}),
            ("team_lead_t1", "team_lead", {"team": "acc-t1"}),
            ("agent_a1", "agent", {"agent_id": "ACC-A1"}),
            ("inspector_q2", "inspector", {}),
            ("inspector_nowhere", "inspector", {}),
        ):
            user, tokens[who] = factories.user(db_session, role, **fields)
            if who == "inspector_q2":
                people_service.assign_areas(db_session=db_session, user=user, area_ids=[area.id])
    visible = {
        "admin": {"a", "b"}, "qa_manager": {"a", "b"}, "training_lead": {"a", "b"},
        "team_lead_t1": {"a"}, "agent_a1": {"a"}, "inspector_q2": {"b"}, "inspector_nowhere": set(),
    }  # fmt: skip
    return ids, tokens, visible


def _as(anonymous, token):
    anonymous.headers["Authorization"] = f"Bearer {token}"
    return anonymous


@pytest.mark.parametrize(
    "who",
    [
        "admin",
        "qa_manager",
        "training_lead",
        "team_lead_t1",
        "agent_a1",
        "inspector_q2",
        "inspector_nowhere",
    ],
)
def test_each_role_reaches_exactly_its_calls(anonymous, world, who):
    ids, tokens, visible = world
    client = _as(anonymous, tokens[who])

    for name, call_id in ids.items():
        allowed = name in visible[who]
        assert client.get(f"/api/v1/calls/{call_id}").status_code == (200 if allowed else 404)
        # Audio redaction is on in the tests: the others wait for the bleeped copy (409).
        heard = 200 if who in PII_ROLES else 409
        assert client.get(f"/api/v1/calls/{call_id}/audio").status_code == (
            heard if allowed else 404
        ), (who, name)
    listed = {c["id"] for c in client.get("/api/v1/calls", params={"limit": 200}).json()["items"]}
    assert listed & set(ids.values()) == {ids[n] for n in visible[who]}
    # Filters, paging and guessed ids leak nothing either.
    for agent in ("ACC-A1", "ACC-B2"):
        found = client.get("/api/v1/calls", params={"agent_id": agent}).json()["items"]
        assert {c["id"] for c in found} <= {ids[n] for n in visible[who]}
    for guess in range(max(ids.values()) + 1, max(ids.values()) + 4):
        assert client.get(f"/api/v1/calls/{guess}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "managers_only"),
    [
        ("get", "/api/v1/rules", False),
        ("get", "/api/v1/rules/operators", False),
        ("get", "/api/v1/me", False),
        ("post", "/api/v1/rules/validate", True),
        ("get", "/api/v1/audit", True),
        ("post", "/api/v1/calls", True),
        ("post", "/api/v1/ingest/s3-events", True),
        # Calibration's sessions, answers and gold, role by role: tests/calibration/test_access.py
        ("get", "/api/v1/calibration/report", True),
        ("get", "/api/v1/calibration/second-reviews", True),
    ],
)
def test_role_gated_endpoints(anonymous, world, method, path, managers_only):
    _ids, tokens, _visible = world

    assert getattr(anonymous, method)(path).status_code == 401
    for who, token in tokens.items():
        status = getattr(_as(anonymous, token), method)(path).status_code
        manager = who in ("admin", "qa_manager")
        if managers_only and not manager:
            assert status == 403, (who, path)
        else:
            assert status not in (401, 403), (who, path, status)


def test_rescore_needs_a_manager_and_a_visible_call(anonymous, world):
    ids, tokens, _visible = world

    assert (
        _as(anonymous, tokens["agent_a1"]).post(f"/api/v1/calls/{ids['a']}/rescore").status_code
        == 403
    )
    assert (
        _as(anonymous, tokens["qa_manager"]).post(f"/api/v1/calls/{ids['a']}/rescore").status_code
        == 422
    )


def test_every_listen_is_audited_and_the_audit_log_is_for_managers(anonymous, world):
    ids, tokens, _visible = world
    inspector = _as(anonymous, tokens["inspector_q2"])
    inspector.get(f"/api/v1/calls/{ids['b']}/audio")
    inspector.get(f"/api/v1/calls/{ids['b']}/audio")
    inspector.get(f"/api/v1/calls/{ids['a']}/audio")  # denied: not logged as a listen

    entries = (
        _as(anonymous, tokens["qa_manager"])
        .get("/api/v1/audit", params={"action": "call.listen", "call_id": ids["b"]})
        .json()
    )

    by_inspector = [e for e in entries if e["username"].startswith("inspector-")]
    assert len(by_inspector) >= 2 and all(e["address"] for e in by_inspector)
    denied = _as(anonymous, tokens["qa_manager"]).get("/api/v1/audit", params={"call_id": ids["a"]})
    assert not [e for e in denied.json() if e["username"].startswith("inspector-")]


def test_presigned_audio_urls_expire(anonymous, world, monkeypatch):
    from services.config import get_settings

    ids, tokens, _visible = world
    monkeypatch.setattr(get_settings(), "playback_url_ttl_s", 2)
    # Players fetch from S3 directly when its public address is configured.
    monkeypatch.setattr(get_settings(), "s3_public_endpoint", get_settings().s3_endpoint)

    url = _as(anonymous, tokens["inspector_q2"]).get(f"/api/v1/calls/{ids['b']}/audio")
    url = url.json()["url"]

    assert httpx.get(url).content == b"b" * 64
    time.sleep(3)
    assert httpx.get(url).status_code == 403


def test_a_revoked_token_stops_working_at_once(anonymous, db_session):
    from services.db import session_scope
    from services.people import service as people_service

    _user, token = factories.user(db_session, "qa_manager")
    client = _as(anonymous, token)
    assert client.get("/api/v1/me").status_code == 200

    with session_scope() as db_session:
        people_service.revoke_token(db_session=db_session, token_id=int(token.split("_")[1]))

    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer zj_", "Bearer zj_1_", "Bearer zj_x_y", "Basic abc", "Bearer " + "x" * 5000],
)
def test_malformed_credentials_are_refused(anonymous, header):
    anonymous.headers["Authorization"] = header

    assert anonymous.get("/api/v1/calls").status_code == 401


def test_sessions_need_the_csrf_token_for_changes(anonymous, world, db_session):
    ids, _tokens, _visible = world
    username = factories.user(db_session, "qa_manager")[0].username

    signed_in = anonymous.post(
        "/api/v1/auth/login", json={"username": username, "password": factories.PASSWORD}
    )

    assert signed_in.status_code == 200
    cookie = signed_in.cookies.get("zhijian_session")
    assert cookie and "httponly" in signed_in.headers["set-cookie"].lower()
    assert anonymous.get("/api/v1/me").json()["username"] == username
    assert anonymous.post(f"/api/v1/calls/{ids['a']}/rescore").status_code == 403
    with_csrf = anonymous.post(
        f"/api/v1/calls/{ids['a']}/rescore",
        headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
    )
    assert with_csrf.status_code == 422  # past authentication: the call is not transcribed
    assert (
        anonymous.post(
            "/api/v1/auth/logout", headers={"X-CSRF-Token": signed_in.json()["csrf_token"]}
        ).status_code
        == 204
    )
    assert anonymous.get("/api/v1/me").status_code == 401


@pytest.mark.committed  # a failed sign-in is counted in a transaction of its own
def test_guessing_passwords_is_slowed_down(anonymous, db_session):
    username = factories.user(db_session, "agent", agent_id=factories.unique("ACC-GUESS"))[
        0
    ].username
    db_session.commit()

    answers = [
        anonymous.post(
            "/api/v1/auth/login", json={"username": username, "password": f"guess-{i}"}
        ).status_code
        for i in range(6)
    ]
    right = anonymous.post(
        "/api/v1/auth/login", json={"username": username, "password": factories.PASSWORD}
    )

    assert answers[:5] == [401] * 5 and answers[5] == 429
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert (
        anonymous.post(
            "/api/v1/auth/login", json={"username": "nobody", "password": "x"}
        ).status_code
        == 401
    )


def test_the_webhook_takes_its_shared_secret(anonymous, monkeypatch):
    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "s3_webhook_secret", "s3cr3t-for-the-webhook")
    event = {"Records": []}

    assert anonymous.post("/api/v1/ingest/s3-events", json=event).status_code == 401
    wrong = anonymous.post(
        "/api/v1/ingest/s3-events", json=event, headers={"X-Zhijian-Webhook-Secret": "nope"}
    )
    right = anonymous.post(
        "/api/v1/ingest/s3-events",
        json=event,
        headers={"X-Zhijian-Webhook-Secret": "s3cr3t-for-the-webhook"},
    )
    assert wrong.status_code == 401 and right.status_code == 200


def test_health_needs_no_credentials(anonymous):
    assert anonymous.get("/healthz").status_code == 200


def test_the_audit_log_cannot_be_rewritten(db_session):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from services.audit import service as audit_service
    from services.audit.tables import AuditEntry

    entry = audit_service.record(
        db_session=db_session, username="someone", action="call.listen", call_id=1
    )
    db_session.commit()

    for statement in (
        update(AuditEntry).where(AuditEntry.id == entry.id).values(username="nobody"),
        delete(AuditEntry).where(AuditEntry.id == entry.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(statement)
        db_session.rollback()
