"""Payment providers behind one small interface.

``wechat_pay`` (WeChat Pay API v3) and ``alipay`` are active when their merchant
settings are all given, ``stripe`` (Stripe Checkout) when ``STRIPE_SECRET_KEY`` is set;
``gate`` reserves the order to be paid at the entrance. The booking page lets the tourist
choose among them (``choice.pay_options``); elsewhere the first configured is the default.
"""

from .base import PaymentProvider, PaymentUnavailable
from .gate import GateProvider


def provider_for(name: str) -> PaymentProvider:
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    if name == "wechat_pay":
        from .wechat import WeChatPayProvider

        return WeChatPayProvider()
    if name == "alipay":
        from .alipay import AlipayProvider

        return AlipayProvider()
    if name == "gate":
        return GateProvider()
    if name == "box_office":
        from .box_office import BoxOfficeProvider

        return BoxOfficeProvider()
    raise ValueError(f"unknown payment provider {name!r}")


def get_provider() -> PaymentProvider:
    """The provider new orders use, by configuration."""
    from .choice import online_configured

    return provider_for(next(iter(online_configured()), "gate"))


__all__ = ["PaymentProvider", "PaymentUnavailable", "get_provider", "provider_for"]
