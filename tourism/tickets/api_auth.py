"""How the partner API knows who calls it: an API key as ``Authorization: Bearer <key>``.

Creating orders and reading them need a key; availability stays open to anyone and is
limited per client address (``ratelimit.py``). Each key has its own limit a minute,
counted in the shared cache like the per-address limits: ``cache.add`` then ``cache.incr``
are atomic in Redis and in locmem, so concurrent requests on any worker or host cannot
push a key's count past its limit within one clock minute (a fixed window: at most twice
the limit across a minute boundary).

Refused keys are counted per client address against ``API_RATE_LIMIT_PER_MINUTE``, so
guessing keys costs as much as flooding availability.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from .partner_keys import ApiKeyRefused, api_key_authenticate
from .partners import ApiKey
from .ratelimit import client_address, rate_limit_hit, seconds_left_in_window


class PartnerKey(HttpBearer):
    """Ninja auth: the request's active ``ApiKey`` becomes ``request.auth``.

    Every refusal raises ``ApiKeyRefused`` with its reason (answered 401 by the API), rather
    than ninja's bare "Unauthorized".
    """

    def __call__(self, request: HttpRequest) -> ApiKey:
        header = request.headers.get(self.header, "")
        scheme, _space, token = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme:
            token = ""
        try:
            return self.authenticate(request, token)
        except ApiKeyRefused:
            if not rate_limit_hit(
                f"api-refused-key:{client_address(request)}",
                limit=settings.API_RATE_LIMIT_PER_MINUTE,
            ):
                raise Throttled(wait=seconds_left_in_window()) from None
            raise

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        return api_key_authenticate(token)


class KeyRateLimit(BaseThrottle):
    """A django-ninja throttle: at most the key's ``rate_limit_per_minute`` requests a minute."""

    def allow_request(self, request: HttpRequest) -> bool:
        api_key: ApiKey = request.auth
        return rate_limit_hit(f"api-key:{api_key.pk}", limit=api_key.rate_limit_per_minute)

    def wait(self) -> float:
        return seconds_left_in_window()


partner_key = PartnerKey()
KEY_CALL = KeyRateLimit()
