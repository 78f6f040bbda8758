"""Which ways to pay the booking page offers a tourist, and in which order.

Every configured online provider is offered (WeChat Pay, Alipay, cards through Stripe),
and paying at the gate where the park allows it (always, when nothing online is set up).
The order fits the visitor: WeChat Pay first inside WeChat's browser, Alipay first inside
the Alipay app, cards first for a browser whose language is not Chinese.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import PaymentProvider, provider_for

LABELS = {
    "wechat_pay": _("WeChat Pay"),
    "alipay": _("Alipay"),
    "stripe": _("Bank card"),
    "gate": _("Pay at the gate"),
}


PHONE_BROWSER = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS")


def in_wechat(request) -> bool:
    """Inside WeChat's own browser (a link opened in a chat or an official account)."""
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def in_alipay(request) -> bool:
    """Inside the Alipay app's browser."""
    return "AlipayClient" in request.headers.get("User-Agent", "")


def on_phone(request) -> bool:
    return bool(PHONE_BROWSER.search(request.headers.get("User-Agent", "")))


@dataclass(frozen=True)
class PayOption:
    name: str
    label: str
    provider: PaymentProvider

    @property
    def online(self) -> bool:
        return self.provider.online


def online_configured() -> list[str]:
    """The online providers whose settings are all given, in the park's default order."""
    from .alipay import configured as alipay_configured
    from .wechat import configured as wechat_pay_configured

    names = []
    if wechat_pay_configured():
        names.append("wechat_pay")
    if alipay_configured():
        names.append("alipay")
    if settings.STRIPE_SECRET_KEY:
        names.append("stripe")
    return names


def _first(names: list[str], name: str) -> list[str]:
    return [name, *(n for n in names if n != name)] if name in names else names


def pay_options(request=None) -> list[PayOption]:
    """What the booking page offers, best first for the browser making ``request``."""
    from ..rules import BookingRules

    names = online_configured()
    if request is not None:
        language = request.headers.get("Accept-Language", "").split(",")[0].strip().lower()
        if in_wechat(request):
            names = _first(names, "wechat_pay")
        elif in_alipay(request):
            names = _first(names, "alipay")
        elif language and not language.startswith("zh"):
            names = _first(names, "stripe")
    if not names or BookingRules.current().offer_pay_at_gate:
        names.append("gate")
    return [PayOption(name, str(LABELS[name]), provider_for(name)) for name in names]
