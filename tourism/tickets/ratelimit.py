"""Per-client rate limits for the partner API: a fixed one-minute window counted in the cache.

Each client address has one counter per limit and clock minute. On Redis (the shared
cache in production) one round trip counts a request: a transaction that creates the
counter with its expiry when it is missing and increments it, so the count holds across
workers and hosts. Other caches (locmem in tests and development) use ``cache.add`` then
``cache.incr``, both atomic there too. A fixed window lets a client reach twice the limit
across a minute boundary; that is close enough to keep a partner from flooding the booking
path.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The address a request is counted against.

    Only ``REMOTE_ADDR``: ``X-Forwarded-For`` is whatever the client chose to send. Behind
    a load balancer or proxy, ``REMOTE_ADDR`` is the proxy's address unless the proxy hands
    the client's address to the application server, e.g. with the PROXY protocol
    (``gunicorn --proxy-protocol --proxy-allow-from <proxy address>``); note that gunicorn's
    ``--forwarded-allow-ips`` trusts the scheme headers only and leaves ``REMOTE_ADDR``
    alone. Without that, every client shares the proxy's counter.
    """
    address = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        # One IPv6 host usually holds a whole /64 and can rotate through it at will.
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def seconds_left_in_window(*, now: float | None = None, window: int = WINDOW_SECONDS) -> int:
    now = time.time() if now is None else now
    return max(1, math.ceil(window - now % window))


def rate_limit_hit(
    key: str, *, limit: int, window: int = WINDOW_SECONDS, now: float | None = None
) -> bool:
    """Count one request under ``key``; True while the window's count is within ``limit``."""
    now = time.time() if now is None else now
    cache_key = f"ratelimit:{key}:{int(now // window)}"
    # Kept a little past the window so a slightly slow clock on another host still finds it.
    timeout = window + 10
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return _redis_count(backend, cache_key, timeout=timeout) <= limit
    if cache.add(cache_key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # It expired between add and incr: this request starts the count again.
            cache.add(cache_key, 1, timeout=timeout)
            count = 1
    return count <= limit


def _redis_count(backend: RedisCache, cache_key: str, *, timeout: int) -> int:
    """Count one request under ``cache_key`` in Redis, in one round trip; the count so far.

    SET NX makes the counter at 0 with its expiry only when it is missing; INCR then moves
    it. MULTI/EXEC runs the two together, so no other request's commands come between and
    the counter can never be left without its expiry. The key is the cache's own (prefix
    and version), and the value a plain integer as Django's Redis cache stores them.
    """
    key = backend.make_and_validate_key(cache_key)
    client = backend._cache.get_client(key, write=True)
    with client.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        _created, count = pipe.execute()
    return count


class ClientRateLimit(BaseThrottle):
    """A django-ninja throttle: at most ``settings.<setting>`` requests a minute per client.

    The limit is read from settings on every request, so tests and the benchmark can
    change it. Ninja checks throttles before it parses the request, so malformed requests
    count too; when one refuses, ninja answers 429 with ``Retry-After`` from ``wait()``.
    """

    def __init__(self, scope: str, setting: str):
        self.scope = scope
        self.setting = setting

    def allow_request(self, request: HttpRequest) -> bool:
        limit = getattr(settings, self.setting)
        return rate_limit_hit(f"{self.scope}:{client_address(request)}", limit=limit)

    def wait(self) -> float:
        # Windows are aligned to the clock, so the wait is the same for every client and
        # needs no state kept between allow_request() and wait() (the throttle is shared
        # by all threads).
        return seconds_left_in_window()
