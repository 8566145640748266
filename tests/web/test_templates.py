"""No label is written into a template directly: every text a reader sees goes through the
catalogue (``{{ _("…") }}``), so that no page shows an untranslated label."""

import re

from services.web.templating import TEMPLATES

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
TAG = re.compile(r"<[^>]*>", re.DOTALL)
READABLE_ATTRIBUTES = re.compile(r'\b(?:title|placeholder|alt|aria-label)="([^"]*)"')
# The language switch names each language in its own words, on purpose.
ALLOWED = {"English"}


def test_templates_have_no_text_outside_the_catalogue() -> None:
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        source = path.read_text("utf-8")
        for value in READABLE_ATTRIBUTES.findall(source):
            if re.search(r"[A-Za-z]", JINJA.sub("", value)):
                found.append(f"{path.name}: attribute {value!r}")
        text = TAG.sub(" ", JINJA.sub(" ", source))
        for word in re.findall(r"[A-Za-z][A-Za-z'-]*", text):
            if word not in ALLOWED:
                found.append(f"{path.name}: {word!r}")
    assert not found, found


def test_the_check_sees_a_bare_label() -> None:
    text = TAG.sub(" ", JINJA.sub(" ", '<p>{{ _("Fine") }} Not fine</p>'))
    assert re.findall(r"[A-Za-z]+", text) == ["Not", "fine"]
