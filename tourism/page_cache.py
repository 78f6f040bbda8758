"""Shared parts of the public pages, kept in Django's cache until something they show changes.

What is cached: the home page of each language, the main menu, a page's translations,
the park settings with their opening hours, the site each host name answers for, and the
page fragments a template marks with
``{% page_fragment %}``. Keys carry the token of ``PageCacheVersion``, which
``page_cache_invalidate`` replaces whenever a page is published, unpublished, moved or
deleted, or the park settings, opening hours, images, zones, specimen trees, the park
map or its facilities, locales or sites change
(``tourism/signal_handlers.py``); fragment keys also carry the page, the language and
today's date. The database holds the token, so a change reaches every worker at once and
within its own transaction; entries left behind expire after ``PAGE_CACHE_SECONDS``.

Nothing per visitor is cached: no response, no form, no CSRF token, no user.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from wagtail.models import Site

from .models import PageCacheVersion

PAGE_CACHE_SECONDS = 60 * 60
_MISSING = object()


def page_cache_version(*, request=None) -> str:
    """The current token, read once per request."""
    token = getattr(request, "_huagu_page_cache_version", None)
    if token is None:
        token = PageCacheVersion.objects.values_list("token", flat=True).first() or "none"
        if request is not None:
            request._huagu_page_cache_version = token
    return token


def page_cache_get_or_set(*, request, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, from the cache while the page cache version is the one it was stored under."""
    full_key = f"pages:{page_cache_version(request=request)}:{key}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(full_key, value, PAGE_CACHE_SECONDS)
    return value


def site_for_request(request):
    """Wagtail's ``Site.find_for_request``, from the cache: its lookup is a query with a
    ranking expression on every request that shows the park's settings.

    Kept on the request where Wagtail looks for it, so its own lookups answer from it too.
    Sites changing replace the version (``signal_handlers.py``). The host is the one
    ``ALLOWED_HOSTS`` let through (CommonMiddleware checked it), so the keys stay few.
    """
    if not hasattr(request, "_wagtail_site"):
        host = request.get_host().lower()
        request._wagtail_site = page_cache_get_or_set(
            request=request,
            key=f"site-for:{host}:{request.get_port()}",
            compute=lambda: Site.find_for_request(request),
        )
    return request._wagtail_site


def page_cache_invalidate() -> None:
    """Make every cached part of the public pages unreachable.

    A random token rather than a counter: a rolled-back transaction or a restored database
    can then never bring back a token that the cache still holds entries for.
    """
    token = uuid.uuid4().hex
    if not PageCacheVersion.objects.filter(pk=1).update(token=token):
        PageCacheVersion.objects.update_or_create(pk=1, defaults={"token": token})
