"""Payment providers behind one small interface.

``wechat_pay`` (WeChat Pay API v3) is active when its merchant settings are all given,
else ``stripe`` (Stripe Checkout) when ``STRIPE_SECRET_KEY`` is set; otherwise ``gate``:
the order is reserved and paid at the entrance.
"""

from django.conf import settings

from .base import PaymentProvider, PaymentUnavailable
from .gate import GateProvider


def provider_for(name: str) -> PaymentProvider:
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    if name == "wechat_pay":
        from .wechat import WeChatPayProvider

        return WeChatPayProvider()
    if name == "gate":
        return GateProvider()
    if name == "box_office":
        from .box_office import BoxOfficeProvider

        return BoxOfficeProvider()
    raise ValueError(f"unknown payment provider {name!r}")


def get_provider() -> PaymentProvider:
    """The provider new orders use, by configuration."""
    from .wechat import configured as wechat_pay_configured

    if wechat_pay_configured():
        return provider_for("wechat_pay")
    return provider_for("stripe" if settings.STRIPE_SECRET_KEY else "gate")


__all__ = ["PaymentProvider", "PaymentUnavailable", "get_provider", "provider_for"]
