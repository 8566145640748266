"""The OpenAPI document's security, so that the "Authorize" button of ``/docs`` works with a
bearer token, or with a signed-in session and its CSRF token.

The schemes come from the dependencies in ``services.api.auth``; FastAPI lists each as an
alternative of its own, while a session's changing request needs the cookie *and* the CSRF
header. Here each operation gets the alternatives that really let it through.
"""

from typing import Any

from fastapi import FastAPI

from services.api.auth import (
    BEARER_SCHEME,
    CSRF_SCHEME,
    SAFE_METHODS,
    SESSION_SCHEME,
    WEBHOOK_SCHEME,
)

BEARER, SESSION = BEARER_SCHEME.scheme_name, SESSION_SCHEME.scheme_name
CSRF, WEBHOOK = CSRF_SCHEME.scheme_name, WEBHOOK_SCHEME.scheme_name


def declare_security(app: FastAPI) -> None:
    """Makes ``app``'s OpenAPI document state, per operation, which credentials it accepts."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()  # FastAPI caches it, until routes change
        for operations in document.get("paths", {}).values():
            for method, operation in operations.items():
                _secure(method.upper(), operation)
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def requirements(method: str, *, webhook: bool) -> list[dict[str, list[str]]]:
    """The alternatives an operation accepts: a bearer token, or the session cookie (with the
    CSRF header on changing requests), or for the webhook its shared secret."""
    session: dict[str, list[str]] = (
        {SESSION: []} if method in SAFE_METHODS else {SESSION: [], CSRF: []}
    )
    alternatives: list[dict[str, list[str]]] = [{BEARER: []}, session]
    return [*alternatives, {WEBHOOK: []}] if webhook else alternatives


def _secure(method: str, operation: dict[str, Any]) -> None:
    named = {name for requirement in operation.get("security", []) for name in requirement}
    if named & {BEARER, WEBHOOK}:  # the webhook also takes a manager's token or session
        operation["security"] = requirements(method, webhook=WEBHOOK in named)
