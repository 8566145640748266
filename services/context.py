"""Who is asking and from where, for the rest of the request: what the audit log records.

The ASGI middleware gives each request one mutable ``RequestContext``; authentication fills in
the actor. A mutable object, because FastAPI runs plain ``def`` dependencies and endpoints in
worker threads, each on a copy of the context: a value *set* in a dependency would not reach
the endpoint, a field changed on the shared object does.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass
class RequestContext:
    """The client's address and, once authenticated, the actor's username."""

    address: str | None = None
    actor: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("zhijian_request", default=None)


def current() -> RequestContext | None:
    """The request (or command) being served, if any."""
    return _current.get()


@contextmanager
def acting(*, actor: str | None, address: str | None) -> Iterator[RequestContext]:
    """Runs the block as ``actor`` from ``address`` (a command line, a task, a test)."""
    token = _current.set(RequestContext(address=address, actor=actor))
    try:
        yield _current.get() or RequestContext()
    finally:
        _current.reset(token)


class RequestContextMiddleware:
    """Gives each HTTP request its context, with the client's address."""

    def __init__(self, app: ASGIApp) -> None:
        """Wraps ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serves the request inside its context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        with acting(actor=None, address=client[0] if client else None):
            await self.app(scope, receive, send)
