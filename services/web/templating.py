"""Jinja2 for the pages: labels through the message catalogue (the i18n extension, with ``_()``
taking ``{placeholder}`` keywords like the code's), and dates, numbers and durations formatted
for the reader's language and the center's time zone."""

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.config import get_settings
from services.db import aware
from services.i18n import current_language, readable, translate

TEMPLATES = Path(__file__).parent / "templates"


def label(message: str, /, **params: Any) -> str:
    """A label in the reader's language (escaped on output like any other value)."""
    return translate(message, current_language(), **params)


def _plural(singular: str, plural: str, count: int, /, **params: Any) -> str:
    return label(singular if count == 1 else plural, count=count, **params)


def _locale() -> str:
    return "zh_CN" if current_language() == "zh_CN" else "en"


def when(value: datetime | None, form: str = "medium") -> str:
    """A moment in the center's time zone, written the reader's way."""
    if value is None:
        return "—"
    zone = ZoneInfo(get_settings().center_timezone)
    return format_datetime(aware(value), form, tzinfo=zone, locale=_locale())


def clock(seconds: float | None) -> str:
    """A position or length in a call: ``m:ss`` (``h:mm:ss`` past an hour)."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def number(value: float | None, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals, grouped the reader's way."""
    if value is None:
        return "—"
    return format_decimal(round(value, digits), locale=_locale())


def percent(value: float | None) -> str:
    """A percentage given as 0–100."""
    if value is None:
        return "—"
    return format_percent(value / 100, format="#,##0.#%", locale=_locale())


@lru_cache
def environment() -> Environment:
    """The pages' Jinja2 environment (autoescaping every template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The extension gives {% trans %} blocks; _() is replaced by ours, whose placeholders are
    # {name} keywords as in the code, so one message id reads the same everywhere.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: label(message), _plural, newstyle=False
    )
    env.globals["_"] = label
    # readable: a text kept as a Message (a pick's reason) in the reader's language.
    env.filters.update(
        when=when, clock=clock, number=number, percent=percent, readable=lambda text: readable(text)
    )
    return env


def render(name: str, **context: Any) -> str:
    """A page, rendered in the current language."""
    return environment().get_template(name).render(language=current_language(), **context)
