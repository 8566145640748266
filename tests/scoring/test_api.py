"""The rules API: packs, operators, validation, and re-scoring only what can be scored."""

from services import storage
from services.calls import service as calls_service


def test_packs_are_listed_with_versions_rules_and_scorecards(client):
    packs = {p["pack"]: p for p in client.get("/api/v1/rules").json()}

    assert {"zh-service", "en-service"} <= set(packs)
    zh = packs["zh-service"]
    assert len(zh["version"]) == 12 and zh["language"] == "zh"
    assert any(r["category"] == "forbidden_phrase" for r in zh["rules"])
    assert zh["scorecard"]["sections"]


def test_operators_are_listed_for_rule_editors(client):
    body = client.get("/api/v1/rules/operators").json()

    assert {"keyword", "silence", "overtalk", "sentiment"} <= {op["name"] for op in body}


def test_validate_returns_the_errors_or_ok_and_installs_nothing(client):
    before = client.get("/api/v1/rules").json()
    good = (
        "pack: mine\nname: Mine\nlanguage: en\nrules:\n"
        "  - id: rude\n    name: Rude\n    category: forbidden_phrase\n"
        "    when: {keyword: {any: [whatever]}}\n"
        '    tests: {hit: ["agent: whatever"], miss: ["agent: sure"]}\n'
    )

    ok = client.post("/api/v1/rules/validate", content=good).json()
    bad = client.post("/api/v1/rules/validate", content=good.replace("keyword", "keywords")).json()
    failing = client.post(
        "/api/v1/rules/validate", content=good.replace('["agent: sure"]', '["agent: whatever"]')
    ).json()

    assert ok == {
        "valid": True,
        "errors": [],
        "pack": "mine",
        "version": ok["version"],
        "tests_run": 2,
        "test_failures": [],
    }
    assert not bad["valid"] and "unknown operator 'keywords'" in bad["errors"][0]
    assert not failing["valid"] and failing["test_failures"]
    assert client.get("/api/v1/rules").json() == before


def test_validate_refuses_oversized_and_non_utf8_bodies(client):
    assert client.post("/api/v1/rules/validate", content=b"a: b\n" * 200_000).status_code == 422
    assert client.post("/api/v1/rules/validate", content=b"\xff\xfe\x00").status_code == 422
    empty = client.post("/api/v1/rules/validate", content=b"").json()
    assert not empty["valid"]


def test_validate_names_a_lone_surrogate_escaped_in_yaml(client):
    # YAML's "\ud800" escape makes a string that is no text: an error naming it, not a crash.
    pack = (
        "pack: odd\nname: Odd\nlanguage: zh\nrules:\n"
        "  - id: odd\n    name: Odd\n    category: other\n"
        '    when: {keyword: {any: ["\\ud800投诉"]}}\n'
        '    tests: {hit: ["customer: \\ud800投訴"], miss: ["customer: 投诉"]}\n'
    )

    response = client.post("/api/v1/rules/validate", content=pack)

    assert response.status_code == 200
    assert not response.json()["valid"] and "tests.hit.0" in response.json()["errors"][0]


def test_rescore_needs_a_transcribed_call(client, db_session):
    info = storage.ObjectInfo("rescore", "r.wav", "v1", 1, {})
    call, _ = calls_service.register(
        db_session=db_session, info=info, source="reconcile", metadata=None
    )
    db_session.commit()

    response = client.post(f"/api/v1/calls/{call.id}/rescore")

    assert response.status_code == 422
    assert "only transcribed calls" in response.json()["detail"]
    assert client.post("/api/v1/calls/999999999/rescore").status_code == 404


def test_flagged_filter(client):
    flagged = client.get("/api/v1/calls", params={"flagged": "true", "limit": 200}).json()
    assert all(c["flagged"] is True for c in flagged["items"])
    assert client.get("/api/v1/calls", params={"flagged": "maybe"}).status_code == 422
