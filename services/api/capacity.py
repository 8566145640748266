"""Admission: at most ZHIJIAN_DB_POOL_SIZE requests at work at once; the others wait their turn.

A request holds its database connection from authentication to its commit, across several
trips through the thread pool. Let more requests in than there are connections and the ones
holding a connection queue for threads behind the ones waiting for a connection: the pool
gave up after 30 s (a 500) with 200 clients on loopback (benchmarks/load.py). Waiting here,
before anything runs, a request holds nothing, and the queue is first come, first served.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.config import get_settings

# Probes must learn how the API is while it is busy; they use a connection of the overflow.
EXEMPT = frozenset({"/healthz"})
# Playback streams a recording for as long as the listener's link takes, its database work
# done (and its connection given back) before the first byte: a place held that long would
# shut out everyone else.
EXEMPT_SUFFIX = "/audio/stream"


class AdmissionGate:
    """ASGI middleware: a first-come-first-served gate of ``db_pool_size`` places."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # A semaphore belongs to the event loop it was first used on: one per loop (a server
        # has one; tests start several in turn).
        self._gate: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Passes the request on once a place is free (probes and playback at once)."""
        path = scope.get("path", "")
        if scope["type"] != "http" or path in EXEMPT or path.endswith(EXEMPT_SUFFIX):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[0] is not loop:
            self._gate = (loop, asyncio.Semaphore(get_settings().db_pool_size))
        place = Place(self._gate[1])
        await place.take()
        scope[PLACE] = place
        try:
            await self.app(scope, receive, send)
        finally:
            place.give_back()


PLACE = "zhijian.place"


class Place:
    """A request's place at the gate, given back once however the request ends."""

    def __init__(self, gate: asyncio.Semaphore) -> None:
        self.gate = gate
        self.held = False

    async def take(self) -> None:
        """Waits for a free place (a cancelled wait takes none)."""
        await self.gate.acquire()
        self.held = True

    def give_back(self) -> None:
        """Frees the place, if held."""
        if self.held:
            self.held = False
            self.gate.release()


@asynccontextmanager
async def released(request: Request) -> AsyncIterator[None]:
    """Gives the request's place back while it waits on its client (an upload's body
    streaming in over a slow link) and takes one again, in turn, after: twenty slow uploads
    must not shut everyone else out. The request must hold no database connection meanwhile."""
    place = request.scope.get(PLACE)
    if place is None:  # not behind the gate (tests of a router alone)
        yield
        return
    place.give_back()
    try:
        yield
    finally:
        await place.take()
