"""Browser tests drive Debian's Chromium through Playwright against pytest-django's live server."""

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# every database query made from it (the live server's data setup, the test's own queries).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("install Debian's chromium (apt-get install chromium) to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def serve_media(settings):
    """Answer /media/ requests from MEDIA_ROOT: the live server serves static files only."""

    def handle(route):
        path = unquote(urlsplit(route.request.url).path).split("/media/", 1)[1]
        file = Path(settings.MEDIA_ROOT) / path
        if not file.is_file():
            route.fulfill(status=404, body="")
            return
        route.fulfill(
            status=200,
            body=file.read_bytes(),
            content_type=mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        )

    return handle
