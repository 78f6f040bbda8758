"""Browser tests drive Debian's Chromium through Playwright against pytest-django's live server.

The ``playwright`` and ``browser`` fixtures live in tests/conftest.py: one Playwright for
the whole run, since its synchronous API allows only one per thread.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (kept for importers)


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
