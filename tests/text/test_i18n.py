"""The message catalogue: every ``_()`` text has its Chinese, and the request picks the language."""

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services import i18n
from services.api.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def _message_ids() -> set[str]:
    """Every literal first argument of ``_(...)`` and ``N_(...)`` in the code."""
    found = set()
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")  # N_: kept to render later
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _template_message_ids() -> set[str]:
    """Every ``{{ _("...") }}`` and ``{% trans %}`` text of the pages' templates."""
    from services.web.templating import TEMPLATES, environment

    env = environment()
    found = set()
    for path in TEMPLATES.glob("*.html"):
        for line, _function, message in env.extract_translations(path.read_text("utf-8")):
            # _("text {name}", name=...) reads as ("text {name}", None): its keywords.
            text = message[0] if isinstance(message, tuple) else message
            assert isinstance(text, str), f"{path.name}:{line}: a label that is not a literal"
            found.add(text)
    return found


def test_every_message_has_its_chinese() -> None:
    chinese = i18n.catalogue("zh_CN")
    missing = sorted(m for m in _message_ids() if m not in chinese)
    assert not missing, f"messages without a zh_CN translation: {missing}"


def test_every_template_label_has_its_chinese() -> None:
    labels = _template_message_ids()
    assert "Sign in" in labels  # the extraction finds the pages' labels
    chinese = i18n.catalogue("zh_CN")
    missing = sorted(m for m in labels if m not in chinese)
    assert not missing, f"template labels without a zh_CN translation: {missing}"


def test_placeholders_match_between_languages() -> None:
    import string

    def names(text: str) -> set[str]:
        return {f for _t, f, _s, _c in string.Formatter().parse(text) if f}

    for message, chinese in i18n.catalogue("zh_CN").items():
        assert names(message) == names(chinese), message


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("zh-TW", "zh_CN"),
        ("fr;q=1, en;q=0.5", "en"),
        ("fr", None),
        ("", None),
        (";;;q=abc,,", None),
    ],
)
def test_accept_language_negotiation(header: str, language: str | None) -> None:
    assert i18n.negotiate(header) == language


def test_answers_follow_accept_language() -> None:
    client = TestClient(create_app())
    english = client.get("/healthz?x=%00", headers={"Accept-Language": "en"})
    chinese = client.get("/healthz?x=%00", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert english.json()["detail"] == "NUL characters are not allowed in URLs"
    assert chinese.json()["detail"] == "URL 中不允许出现 NUL 字符"


def test_without_accept_language_answers_are_in_the_default_language(monkeypatch) -> None:
    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "default_language", "zh_CN")  # the shipped default
    answer = TestClient(create_app()).get("/healthz?x=%00")
    assert answer.json()["detail"] == "URL 中不允许出现 NUL 字符"


def test_use_language_names_a_recipients_language() -> None:
    with i18n.use_language("en"):
        assert i18n._("NUL characters are not allowed in URLs").startswith("NUL")
    with i18n.use_language("zh_CN"):
        assert i18n._("NUL characters are not allowed in URLs").startswith("URL")


def test_each_message_is_translated_once() -> None:
    # The .po file merges by union: two changes adding the same text must not leave two
    # translations, of which the reader would get one by chance.
    po = i18n.LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    ids = re.findall(r'^msgid ((?:".*"\n)+)', po.read_text(encoding="utf-8"), re.MULTILINE)
    texts = ["".join(re.findall(r'"(.*)"', raw)) for raw in ids]
    repeated = sorted({t for t in texts if t and texts.count(t) > 1})
    assert not repeated, f"translated more than once: {repeated}"


def test_a_stored_message_reads_in_each_readers_language_and_plain_text_as_written() -> None:
    kept = i18n.stored(i18n.N_("flagged: {reasons}", reasons=["dead_air", "abuse"]))

    assert i18n.readable(kept, "en") == "flagged: dead_air; abuse"
    assert i18n.readable(kept, "zh_CN") == "已标记：dead_air；abuse"
    with i18n.use_language("zh_CN"):
        assert i18n.readable(kept) == "已标记：dead_air；abuse"
    assert i18n.readable("flagged: 服务忌语", "zh_CN") == "flagged: 服务忌语"
    assert i18n.readable('{"msgid" broken', "en") == '{"msgid" broken'
    assert i18n.readable(None, "en") == ""


def test_a_message_of_messages_and_names_per_language_reads_in_each_language() -> None:
    name = {"zh_CN": "静音过长", "en": "Dead air"}
    kept = i18n.stored(
        i18n.N_("flagged: {reasons}", reasons=[i18n.N_("{name} ({rule})", name=name, rule="x")])
    )

    assert i18n.readable(kept, "en") == "flagged: Dead air (x)"
    assert i18n.readable(kept, "zh_CN") == "已标记：静音过长（x）"
