"""A request the API cannot read (422) is explained in the reader's language; the errors'
``loc``, ``type`` and ``ctx``, which clients read, stay as pydantic writes them."""

import json
import string
from typing import Annotated, Literal

import pytest
from fastapi import Query
from fastapi.testclient import TestClient
from pydantic import Field

from services import i18n
from services.api.app import create_app
from services.types import InputAwareDatetime, InputDate, ShortText, Strict
from services.validation import MESSAGES, NO_CONTROL_MESSAGE, message_of
from tests import factories

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


class _Body(Strict):
    name: ShortText
    count: int = Field(1, gt=0, le=10)
    share: float = 0.5
    kind: Literal["inbound", "outbound"] = "inbound"
    tags: list[str] = Field(default_factory=list, max_length=2)
    flag: bool = False
    at: InputAwareDatetime | None = None
    day: InputDate | None = None


@pytest.fixture(scope="module")
def probe() -> TestClient:
    """The app with one more endpoint that reads a body of every common kind."""
    app = create_app()

    @app.post("/probe")
    def _probe(body: _Body, page: Annotated[int, Query(ge=1)] = 1) -> dict[str, int]:
        return {"page": page}

    return TestClient(app)


def _errors(client: TestClient, headers: dict[str, str], **request: object) -> list[dict]:
    response = client.post("/probe", headers=headers, **request)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    return response.json()["detail"]


@pytest.mark.parametrize(
    ("request_", "type_", "english", "chinese"),
    [
        ({"json": {}}, "missing", "Field required", "缺少必填字段"),
        ({"json": {"name": "a", "nmae": 1}}, "extra_forbidden",
         "Extra inputs are not permitted", "不允许出现多余的字段"),
        ({"json": {"name": "  "}}, "string_too_short", "Text should not be empty", "文本不能为空"),
        ({"json": {"name": "a" * 256}}, "string_too_long",
         "Text should have at most 255 characters", "文本最多只能有 255 个字符"),
        ({"json": {"name": "a\x00b"}}, "string_pattern_mismatch",
         "Text should not contain control characters", "文本不能包含控制字符"),
        ({"json": {"name": "a", "count": "many"}}, "int_parsing",
         "Input should be a valid integer, unable to parse string as an integer",
         "输入应为有效的整数，无法将字符串解析为整数"),
        ({"json": {"name": "a", "count": 0}}, "greater_than",
         "Input should be greater than 0", "输入应大于 0"),
        ({"json": {"name": "a", "count": 11}}, "less_than_equal",
         "Input should be less than or equal to 10", "输入应小于或等于 10"),
        ({"json": {"name": "a", "share": "half"}}, "float_parsing",
         "Input should be a valid number, unable to parse string as a number",
         "输入应为有效的数字，无法将字符串解析为数字"),
        ({"content": '{"name": "a", "share": Infinity}', "headers": {}}, "finite_number",
         "Input should be a finite number", "输入应为有限的数字"),
        ({"json": {"name": "a", "kind": "sideways"}}, "literal_error",
         "Input should be 'inbound' or 'outbound'", "输入应为 'inbound' or 'outbound'"),
        ({"json": {"name": "a", "tags": ["x", "y", "z"]}}, "too_long",
         "Should have at most 2 items, not 3", "最多只能有 2 项，而不是 3 项"),
        ({"json": {"name": "a", "tags": "x"}}, "list_type",
         "Input should be a valid list", "输入应为有效的列表"),
        ({"json": {"name": "a", "flag": "perhaps"}}, "bool_parsing",
         "Input should be a valid boolean, unable to interpret input",
         "输入应为有效的布尔值，无法识别该输入"),
        ({"json": {"name": "a", "at": "2026-12-06T08:00:00"}}, "timezone_aware",
         "Input should have timezone info", "输入应带有时区信息（例如 +08:00）"),
        ({"json": {"name": "a", "at": "soon"}}, "datetime_from_date_parsing",
         "Input should be a valid datetime or date, input is too short",
         "输入应为有效的日期时间或日期：input is too short"),
        ({"json": {"name": "a", "day": "2026-13-01"}}, "date_from_datetime_parsing",
         "Input should be a valid date or datetime, month value is outside expected range of 1-12",
         "输入应为有效的日期或日期时间：month value is outside expected range of 1-12"),
        ({"json": {"name": "a", "day": "0001-01-01"}}, "value_error",
         "dates go from the year 1970 to 2199", "日期须在 1970 年至 2199 年之间"),
        ({"json": ["a"]}, "model_attributes_type",
         "Input should be a JSON object", "输入应为 JSON 对象"),
        ({"content": '{"name": ', "headers": {}}, "json_invalid",
         "Invalid JSON: Expecting value", "JSON 无效：Expecting value"),
    ],
)  # fmt: skip
def test_a_bad_body_is_explained_in_the_requests_language(probe, request_, type_, english, chinese):
    request_ = dict(request_)
    headers = {"Content-Type": "application/json", **request_.pop("headers", {})}
    in_english = _errors(probe, {**headers, **EN}, **request_)
    in_chinese = _errors(probe, {**headers, **ZH}, **request_)

    assert [e["type"] for e in in_english] == [type_], in_english
    assert in_english[0]["msg"] == english
    assert in_chinese[0]["msg"] == chinese
    # Only the text differs: where, what kind, and the limits read the same in both.
    strip = [{k: v for k, v in e.items() if k != "msg"} for e in in_english]
    assert [{k: v for k, v in e.items() if k != "msg"} for e in in_chinese] == strip


def test_every_error_of_a_request_is_translated_with_its_location_kept(probe):
    body = {"name": "", "count": 0, "surprise": True}

    errors = _errors(probe, ZH, params={"page": 0}, json=body)

    assert {(tuple(e["loc"]), e["type"], e["msg"]) for e in errors} == {
        (("query", "page"), "greater_than_equal", "输入应大于或等于 1"),
        (("body", "name"), "string_too_short", "文本不能为空"),
        (("body", "count"), "greater_than", "输入应大于 0"),
        (("body", "surprise"), "extra_forbidden", "不允许出现多余的字段"),
    }
    limits = {e["type"]: e.get("ctx") for e in errors}
    assert limits["greater_than"] == {"gt": 0}  # ctx as pydantic wrote it
    assert limits["string_too_short"] == {"min_length": 1}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [(EN, "give either calls or draw"), (ZH, "请给出 calls 或 draw 二者之一")],
)
def test_our_own_validators_answer_in_the_requests_language(client, headers, expected):
    session = {"title": "t", "inspectors": ["a", "b"], "deadline": "2030-01-01T00:00:00+08:00"}

    response = client.post("/api/v1/calibration/sessions", json=session, headers=headers)

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"], error["msg"]) == ("value_error", ["body"], expected)


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"channels": {"agent": 0, "customer": 0}}, EN,
         "agent and customer must be on different channels"),
        ({"channels": {"agent": 0, "customer": 0}}, ZH, "坐席和客户须在不同的声道上"),
        ({"channels": {"agent": 0, "customer": 40}}, ZH, "声道编号须在 0 到 31 之间"),
        ({"language": "xx"}, ZH, "未知的语言代码 xx（请使用 Whisper 的代码：zh、en、yue …）"),
    ],
)  # fmt: skip
def test_call_metadata_checks_answer_in_the_requests_language(client, body, headers, expected):
    metadata = json.dumps(body)
    files = {"audio": ("a.wav", b"RIFF", "audio/wav")}

    response = client.post(
        "/api/v1/calls", files=files, data={"metadata": metadata}, headers=headers
    )

    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]


def test_a_signed_in_users_language_wins_over_accept_language(anonymous, db_session):
    manager, token = factories.user(db_session, "qa_manager")
    manager.language = "zh_CN"
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}", **EN}

    response = anonymous.get("/api/v1/calls?limit=many", headers=headers)

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("int_parsing", ["query", "limit"])
    assert error["msg"] == "输入应为有效的整数，无法将字符串解析为整数"


def _placeholders(text: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_mapped_type_has_its_chinese():
    chinese = i18n.catalogue("zh_CN")
    entries = [NO_CONTROL_MESSAGE]
    for entry in MESSAGES.values():
        entries.extend(entry[1:] if isinstance(entry, tuple) else [entry])

    missing = sorted(e["msgid"] for e in entries if e["msgid"] not in chinese)
    assert not missing, f"validation messages without a zh_CN translation: {missing}"
    for entry in entries:
        assert _placeholders(chinese[entry["msgid"]]) == _placeholders(entry["msgid"])


def test_the_mapping_covers_the_types_the_api_meets():
    # The mistakes clients make: each reads in Chinese, not in pydantic's English.
    wanted = {
        *("missing", "extra_forbidden", "string_type", "int_type", "list_type", "dict_type"),
        *("string_too_short", "string_too_long", "too_short", "too_long", "finite_number"),
        *("int_parsing", "float_parsing", "bool_parsing", "literal_error", "enum"),
        *("greater_than", "greater_than_equal", "less_than", "less_than_equal"),
        *("datetime_parsing", "datetime_from_date_parsing", "date_parsing", "timezone_aware"),
        *("json_invalid", "model_type", "url_parsing", "uuid_parsing"),
    }
    assert not [t for t in wanted if t not in MESSAGES]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"type": "some_future_type", "msg": "pydantic's words"}, "pydantic's words"),
        # A placeholder without its value in ctx: pydantic's own text rather than a hole.
        ({"type": "greater_than", "msg": "Input should be greater than 0"},
         "Input should be greater than 0"),
        ({"type": "too_short", "msg": "?", "ctx": {"min_length": 1, "actual_length": 0}},
         "不能为空"),
        ({"type": "too_short", "msg": "?", "ctx": {"min_length": 3, "actual_length": 1}},
         "至少应有 3 项，而不是 1 项"),
        ({"type": "value_error", "msg": "Value error, 坏", "ctx": {"error": ValueError("坏")}},
         "坏"),
    ],
)  # fmt: skip
def test_message_of_one_error(error, expected):
    assert message_of(error, "zh_CN") == expected
