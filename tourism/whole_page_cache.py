"""Anonymous visitors' public pages, served whole from the shared cache.

Two middleware halves, as Django's cache middleware is built (stored on the way out before
the session, locale and CSRF middleware add their cookies; fetched last on the way in),
with keys that start as the page fragments' do (``tourism/page_cache.py``): the
database-held ``PageCacheVersion`` token and today's date. A publish, or any other change that replaces the token, therefore
shows on the next request, in every worker and on every host; keys also carry the URL
and the language.

Only these are cached: a GET or HEAD of a page in ``CACHED_VIEWS`` (Wagtail's pages, the
park map, the specimen trees), by a visitor with no session cookie and no message cookie,
answered 200 with no cookie set, no CSRF token in its markup, no private or no-store
``Cache-Control`` and no CSP nonce used in its markup.
Everything else passes by untouched.

A cached page carries ``Cache-Control: public, max-age=PAGE_CACHE_BROWSER_SECONDS``, an
``ETag`` and a ``Last-Modified``, so a browser or a CDN keeps it and asks again with
``If-None-Match``, answered 304. Entries live ``PAGE_CACHE_WHOLE_SECONDS`` at most: the
figures a page draws from the farm's records (jobs and wages on the home page) may lag
that long; edits of pages and settings show at once.
"""

import hashlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, has_vary_header, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import get_language

from .page_cache import page_cache_version

CACHED_VIEWS = frozenset({"wagtail_serve", "park_map", "nursery_tree_list", "nursery_tree_detail"})
NOT_CACHED_CONTROL = ("private", "no-cache", "no-store")


def _key(request) -> str:
    """The page's key: the version token, today, the language and the whole URL.

    Not the ``Vary`` headers, as Django's keys would: a cached page is only served to, and
    only stored from, a visitor without a session, so the session read that adds
    ``Vary: Cookie`` found nothing; and the language is the URL's, whatever
    ``Accept-Language`` says. One cache read answers a visitor.
    """
    url = hashlib.md5(request.build_absolute_uri().encode(), usedforsecurity=False).hexdigest()
    version = page_cache_version(request=request)
    return f"whole:{version}:{timezone.localdate():%Y%m%d}:{get_language()}:{url}"


def _may_be_cached(request) -> bool:
    """Whether this request may be answered from, or stored in, the whole-page cache."""
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_WHOLE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.url_name in CACHED_VIEWS


def _conditional(request, response):
    """304 when the visitor's copy (``If-None-Match``/``If-Modified-Since``) is this one."""
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


class WholePageFetchMiddleware:
    """Answers from the cache; the last middleware, after the language is chosen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._whole_page = _may_be_cached(request)
        if request._whole_page:
            cached = cache.get(_key(request))
            if cached is not None:
                request._whole_page_hit = True
                return _conditional(request, cached)
        return self.get_response(request)


class WholePageUpdateMiddleware:
    """Stores what may be stored; before the session, locale and CSRF middleware, so it sees
    the cookies and ``Vary`` headers they add."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        stored_before = getattr(request, "_whole_page_hit", False)
        if request.method != "GET" or not getattr(request, "_whole_page", False) or stored_before:
            return response
        if not self._storable(request, response):
            return response
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_BROWSER_SECONDS)
        response["ETag"] = quote_etag(
            hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
        response["Last-Modified"] = http_date()
        cache.set(_key(request), response, settings.PAGE_CACHE_WHOLE_SECONDS)
        return _conditional(request, response)

    @staticmethod
    def _storable(request, response) -> bool:
        cache_control = response.get("Cache-Control", "").lower()
        return not (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or has_vary_header(response, "*")
            or any(directive in cache_control for directive in NOT_CACHED_CONTROL)
            or getattr(request, "_csp_nonce", None) is not None
        )
