"""Payment providers behind one small interface.

``stripe`` (Stripe Checkout) is active when ``STRIPE_SECRET_KEY`` is set; otherwise
``gate``: the order is reserved and paid at the entrance. A direct WeChat Pay or
Alipay provider would implement the same four methods.
"""

from django.conf import settings

from .base import PaymentProvider, PaymentUnavailable
from .gate import GateProvider


def provider_for(name: str) -> PaymentProvider:
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    if name == "gate":
        return GateProvider()
    if name == "box_office":
        from .box_office import BoxOfficeProvider

        return BoxOfficeProvider()
    raise ValueError(f"unknown payment provider {name!r}")


def get_provider() -> PaymentProvider:
    """The provider new orders use, by configuration."""
    return provider_for("stripe" if settings.STRIPE_SECRET_KEY else "gate")


__all__ = ["PaymentProvider", "PaymentUnavailable", "get_provider", "provider_for"]
