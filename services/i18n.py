"""The one message catalogue: every text a person reads goes through ``_()``, in Chinese or English.

Message ids are the English texts (the gettext convention), so English needs no catalogue of its
own; ``services/locales/zh_CN/LC_MESSAGES/messages.po`` holds the Chinese. The language of a
request comes from the user's setting, else ``Accept-Language``, else
``ZHIJIAN_DEFAULT_LANGUAGE`` (zh_CN); work done for someone else (a notification) names the
recipient's language with ``use_language``. Babel reads the ``.po`` file directly, so there is
no compile step to forget.
"""

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from starlette.types import ASGIApp, Receive, Scope, Send

from services.config import get_settings

LANGUAGES = ("zh_CN", "en")
LOCALES_DIR = Path(__file__).parent / "locales"

_language: ContextVar[str | None] = ContextVar("zhijian_language", default=None)


class _RequestLanguage:
    """The language of one request, chosen by the middleware, refined after sign-in. Mutable:
    FastAPI runs plain ``def`` dependencies in threads on copies of the context, so the
    sign-in's choice reaches the endpoint through this shared object, not a ``set``."""

    def __init__(self, language: str | None) -> None:
        self.language = language


_request: ContextVar[_RequestLanguage | None] = ContextVar("zhijian_request_language", default=None)


@lru_cache
def catalogue(language: str) -> Mapping[str, str]:
    """The translations of ``language``: message id → text (empty for English)."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as po:
        return {
            str(message.id): str(message.string)
            for message in read_po(po)
            if message.id and message.string and not message.fuzzy
        }


def current_language() -> str:
    """The language texts are written in right now."""
    request = _request.get()
    chosen = _language.get() or (request.language if request else None)
    return chosen or get_settings().default_language


def translate(message: str, language: str, /, **params: Any) -> str:
    """``message`` in ``language``, with ``{name}`` placeholders filled from ``params``."""
    text = catalogue(language).get(message, message)
    return text.format(**params) if params else text


def _(message: str, /, **params: Any) -> str:
    """``message`` in the current language, placeholders filled (a Message among them, too)."""
    return render({"msgid": message, "params": params})


# A text to write later, in whoever reads it's language: the English message id and its
# placeholders, any of which may itself be a Message (a role, a window). JSON as it is.
Message = dict[str, Any]


def N_(message: str, /, **params: Any) -> Message:
    """Marks ``message`` for the catalogue and keeps it, with ``params``, to render later."""
    return {"msgid": message, "params": params}


def is_message(value: Any) -> bool:
    """Whether ``value`` is a Message (as N_ makes and JSON keeps)."""
    return isinstance(value, Mapping) and isinstance(value.get("msgid"), str)


def render(message: Message, language: str | None = None) -> str:
    """A Message in ``language`` (else the current one), its nested Messages too; a name
    per language among the params reads in ``language``, a list as its parts, each rendered,
    joined the language's way."""
    language = language or current_language()
    params = {
        name: _param(value, language) for name, value in (message.get("params") or {}).items()
    }
    return translate(message["msgid"], language, **params)


def _param(value: Any, language: str) -> Any:
    if is_message(value):
        return render(value, language)
    if isinstance(value, Mapping):  # a name per language, as a pack gives a rule's
        return localised(value, language)
    if isinstance(value, list):
        separator = "；" if language == "zh_CN" else "; "
        return separator.join(str(_param(part, language)) for part in value)
    return value


# A Message kept in a text column starts so; a text written before Messages were kept (plain,
# in whoever's language made it) does not, and is shown as it is.
_STORED = '{"msgid"'


def stored(message: Message | str) -> str:
    """A Message as text for a text column, to be read back with ``readable``."""
    return json.dumps(message, ensure_ascii=False) if is_message(message) else str(message)


def kept(text: Any) -> Message | str:
    """A text as kept in a column: the Message ``stored`` wrote, else the plain text."""
    if is_message(text):
        return dict(text)
    if isinstance(text, str) and text.startswith(_STORED):
        try:
            message = json.loads(text)
        except ValueError:
            return text
        if is_message(message):
            return dict(message)
    return "" if text is None else str(text)


def readable(text: Any, language: str | None = None) -> str:
    """A text as kept (a stored Message, a Message, or plain text) in ``language`` (else the
    current one); plain text is taken as already written for its reader."""
    found = kept(text)
    return render(found, language) if isinstance(found, dict) else found


def names_by_language(name: str | Mapping[str, str], language: str) -> dict[str, str]:
    """A name given in one language (``language``) or per language, keyed zh_CN / en."""
    if isinstance(name, str):
        return {negotiate(language) or language: name}
    return {negotiate(tag) or tag: text for tag, text in name.items()}


def localised(names: str | Mapping[str, str], language: str | None = None) -> str:
    """A name in ``language`` (else the current one), else in the language it was given in."""
    if isinstance(names, str):
        return names
    found = names_by_language(names, "")
    return found.get(language or current_language()) or next(iter(found.values()), "")


def set_language(language: str | None) -> None:
    """Chooses the language for the rest of this request or task (None: back to the default)."""
    request = _request.get()
    if request is not None:
        request.language = language if language in LANGUAGES else None
    else:
        _language.set(language if language in LANGUAGES else None)


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Writes the texts inside the block in ``language`` (a recipient's, say)."""
    token = _language.set(language if language in LANGUAGES else None)
    try:
        yield
    finally:
        _language.reset(token)


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an ``Accept-Language`` header, or None."""
    if not accept_language:
        return None
    wanted = []
    for part in accept_language.split(","):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and weight > 0:
            wanted.append((weight, tag.strip().replace("-", "_")))
    for _weight, tag in sorted(wanted, key=lambda item: -item[0]):
        # One catalogue per language: zh, zh-CN, zh-TW, zh-Hans all read Chinese; en-* English.
        primary = tag.split("_")[0].lower()
        if primary == "zh":
            return "zh_CN"
        if primary == "en":
            return "en"
    return None


class LanguageMiddleware:
    """Sets the request's language from ``Accept-Language``; sign-in may refine it later."""

    def __init__(self, app: ASGIApp) -> None:
        """Wraps ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the request with its language chosen."""
        if scope["type"] == "http":
            header = dict(scope.get("headers") or []).get(b"accept-language", b"")
            token = _request.set(_RequestLanguage(negotiate(header.decode("latin-1"))))
            try:
                await self.app(scope, receive, send)
            finally:
                _request.reset(token)
            return
        await self.app(scope, receive, send)
