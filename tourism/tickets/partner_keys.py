"""Issuing, revoking and checking partners' API keys, and orders made with them."""

import datetime
import re

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from tourism.page_cache import PAGE_CACHE_SECONDS, page_cache_invalidate, page_cache_key

from . import services
from .models import Order
from .partners import (
    VISIBLE_LENGTH,
    ApiKey,
    Partner,
    PartnerOrder,
    api_key_digest,
    new_api_key,
)

# A key as ``new_api_key`` makes them; anything else is refused without a query.
KEY_RE = re.compile(r"hg_[A-Za-z0-9_-]{40}")
# ``last_used_at`` is written at most once a minute per key, not on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class ApiKeyRefused(Exception):
    """The request carries no usable key; ``message`` says why, in the caller's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def api_key_issue(
    *,
    partner: Partner,
    label: str,
    rate_limit_per_minute: int | None = None,
    expires_at: datetime.datetime | None = None,
    user=None,
) -> tuple[ApiKey, str]:
    """A new key for ``partner``; returns it and the key itself, which is never stored."""
    raw = new_api_key()
    api_key = ApiKey(
        partner=partner,
        label=label,
        prefix=raw[:VISIBLE_LENGTH],
        key_hash=api_key_digest(raw),
        expires_at=expires_at,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if rate_limit_per_minute is not None:
        api_key.rate_limit_per_minute = rate_limit_per_minute
    api_key.full_clean()
    api_key.save()
    return api_key, raw


def api_key_revoke(*, api_key: ApiKey, now: datetime.datetime | None = None) -> ApiKey:
    """Refuse the key from now on; its orders keep their record of it."""
    if api_key.revoked_at is None:
        api_key.revoked_at = now or timezone.now()
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=api_key.revoked_at
        )
        # Keys are looked up in the cache: the next request must not find this one there.
        page_cache_invalidate()
    return api_key


def api_key_authenticate(raw: str, *, now: datetime.datetime | None = None) -> ApiKey:
    """The active key ``raw`` names, or ``ApiKeyRefused`` saying why not.

    The key and its partner come from the cache under the page cache's version, which
    issuing, editing, revoking or deleting a key or editing a partner replaces; else from
    one indexed query (the digest is unique). ``last_used_at`` is updated at most once a
    minute per key.
    """
    now = now or timezone.now()
    raw = (raw or "").strip()
    if not raw:
        raise ApiKeyRefused(_("An API key is required: send it as “Authorization: Bearer <key>”."))
    api_key = cache_key = None
    if KEY_RE.fullmatch(raw):
        digest = api_key_digest(raw)
        # Made once: a version replaced meanwhile (a revocation) must not get this read of
        # the key written under it.
        cache_key = page_cache_key(f"api-key:{digest}")
        api_key = _key_cached(digest, cache_key)
    if api_key is None:
        raise ApiKeyRefused(_("This API key is not valid. Check it, or ask the park for a key."))
    state = api_key.state(now)
    if state == "revoked":
        raise ApiKeyRefused(_("This API key has been revoked. Ask the park for a new key."))
    if state == "expired":
        raise ApiKeyRefused(_("This API key has expired. Ask the park for a new key."))
    if state == "partner_inactive":
        raise ApiKeyRefused(_("This partner's access is suspended. Please contact the park."))
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
        cache.set(cache_key, api_key, PAGE_CACHE_SECONDS)
    return api_key


def _key_cached(digest: str, cache_key: str) -> ApiKey | None:
    """The key with this digest and its partner, kept at ``cache_key``; only keys that
    exist are kept, so that made-up keys cannot fill the cache."""
    api_key = cache.get(cache_key)
    if api_key is None:
        api_key = ApiKey.objects.select_related("partner").filter(key_hash=digest).first()
        if api_key is not None:
            cache.set(cache_key, api_key, PAGE_CACHE_SECONDS)
    return api_key


def partner_order_create(*, api_key: ApiKey, **order: object) -> Order:
    """``services.order_create`` for a partner: the order and its record of the key, or neither.

    The record is written inside the order's own transaction, which spares an enclosing
    transaction and a savepoint on every order.
    """
    return services.order_create(
        channel=Order.Channel.API,
        on_created=lambda created: partner_order_record(order=created, api_key=api_key),
        **order,
    )


def partner_order_record(*, order: Order, api_key: ApiKey) -> None:
    """Record that ``api_key`` made ``order`` (in the caller's transaction)."""
    PartnerOrder.objects.create(order=order, api_key=api_key)
