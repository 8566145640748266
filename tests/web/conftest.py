"""The pages served by a real uvicorn server, and Debian's chromium driven by Playwright.

The server runs in this process and its requests use the test's database session factory, so
a browser test's data is rolled back like any other test's (nothing is committed that other
tests could see); requests are served one at a time, as they share the test's connection.
"""

import asyncio
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


class OneAtATime:
    """Serves one request at a time: they all share the test's database connection."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = asyncio.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self.lock:
            await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def web_url() -> Iterator[str]:
    """The whole app (pages and API) on a loopback port, in this process."""
    from services.api.app import create_app
    from tests.servers import serving

    with serving(OneAtATime(create_app())) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless (Playwright's own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup --test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
