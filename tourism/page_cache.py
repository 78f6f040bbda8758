"""Shared parts of the public pages, kept in Django's cache until something they show changes.

What is cached: the home page of each language, the main menu, a page's translations,
the park settings with their opening hours, the site each host name answers for, the
page fragments a template marks with ``{% page_fragment %}``, and what every booking
reads: the booking rules, each day's ticket prices and the partners' API keys. Keys carry the token of ``PageCacheVersion``, which
``page_cache_invalidate`` replaces whenever a page is published, unpublished, moved or
deleted, or the park settings, opening hours, images, zones, specimen trees, the park
map or its facilities, locales, sites, booking rules, ticket types, season prices, API
keys or partners change
(``tourism/signal_handlers.py``); fragment keys also carry the page, the language and
today's date. The database holds the token, so a change reaches every worker at once and
within its own transaction; entries left behind expire after ``PAGE_CACHE_SECONDS``.

Nothing per visitor is cached: no response, no form, no CSRF token, no user.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from wagtail.models import Site

from core.logs import request_var

from .models import PageCacheVersion

PAGE_CACHE_SECONDS = 60 * 60
_MISSING = object()


def page_cache_version(*, request=None) -> str:
    """The current token, read once per request (the request being served when none is
    given); outside a request, on every call.

    One plain statement: it is read by every page and every booking, and the ORM's
    compiling of even this query costs more than the database's answer."""
    request = request if request is not None else request_var.get()
    token = getattr(request, "_huagu_page_cache_version", None)
    if token is None:
        with connection.cursor() as cursor:
            cursor.execute(_TOKEN_SQL)
            row = cursor.fetchone()
        token = row[0] if row else "none"
        if request is not None:
            request._huagu_page_cache_version = token
    return token


_TOKEN_SQL = f"SELECT token FROM {PageCacheVersion._meta.db_table} WHERE id = 1"


def page_cache_key(key: str, *, request=None) -> str:
    """``key`` in the cache under the current version."""
    return f"pages:{page_cache_version(request=request)}:{key}"


def page_cache_get_or_set(*, key: str, compute: Callable[[], Any], request=None) -> Any:
    """``compute()``, from the cache while the page cache version is the one it was stored under."""
    full_key = page_cache_key(key, request=request)
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
    # The request that made the change reads the new version from here on too.
    request = request_var.get()
    if request is not None:
        request._huagu_page_cache_version = token


def page_cache_invalidate_after_migrate(**kwargs) -> None:
    """A migration may change what the cache holds, or the shape of the objects it keeps
    (model instances are kept pickled): nothing from before it is read again. Unless it
    took the version's table away (migrating back past it)."""
    try:
        with transaction.atomic():
            page_cache_invalidate()
    except DatabaseError:
        pass
