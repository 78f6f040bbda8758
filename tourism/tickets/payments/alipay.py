"""Alipay for a park with its own app on Alipay's open platform.

Booking sends the tourist to Huagu's own payment page for the order (``alipay_views``),
which sends the browser on to Alipay's cashier: the phone-website payment
(``alipay.trade.wap.pay``) on phones, the computer-website payment
(``alipay.trade.page.pay``) on desktops. Each kind is its own trade (``out_trade_no``, a
``Payment`` row), with the same business fields on every visit, so Alipay shows the same
trade again. What Alipay says is applied only from ``alipay.trade.query``'s answer
(``trade_apply``); notifications and the tourist's return are only triggers.
"""

import logging
import re
import secrets
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ..models import Payment
from .alipay_client import AlipayApp, AlipayError, beijing_time
from .base import PaymentUnavailable
from .settle import DirectProvider, attempt_closed, payment_confirmed

logger = logging.getLogger(__name__)

NAME = "alipay"
WAP, PAGE = "wap", "page"
METHODS = {WAP: "alipay.trade.wap.pay", PAGE: "alipay.trade.page.pay"}
PRODUCT_CODES = {WAP: "QUICK_WAP_WAY", PAGE: "FAST_INSTANT_TRADE_PAY"}
REQUEST_NO = re.compile(r"[^0-9A-Za-z_\-]")
CENT = Decimal("0.01")


def configured() -> bool:
    return all(
        (settings.ALIPAY_APP_ID, settings.ALIPAY_APP_PRIVATE_KEY, settings.ALIPAY_PUBLIC_KEY)
    )


def yuan(amount: Decimal) -> str:
    """Alipay's amounts: yuan as text with two decimals."""
    return str(Decimal(amount).quantize(CENT))


def trade_apply(*, payment: Payment, trade: dict) -> str:
    """Drive ``payment``'s order from ``alipay.trade.query``'s answer."""
    if trade.get("out_trade_no") != payment.provider_reference:
        raise PaymentUnavailable(f"Alipay answered for another trade than {payment}")
    status = trade.get("trade_status")
    if status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
        paid = trade.get("total_amount")
        if paid != yuan(payment.amount):
            # Never mark an order paid for an amount it does not cost.
            logger.error("Alipay trade %s paid %r", payment.provider_reference, paid)
            raise PaymentUnavailable(f"{payment.provider_reference} was paid {paid!r}")
        return payment_confirmed(payment=payment, provider_payment_id=trade.get("trade_no") or "")
    if status == "TRADE_CLOSED":
        return attempt_closed(payment)
    return "waiting"


class AlipayProvider(DirectProvider):
    """Alipay in CNY; the tourist pays on Alipay's cashier and comes back to the order."""

    name = NAME
    pay_page = "tickets:alipay_pay"

    def __init__(self, app: AlipayApp | None = None):
        self._app = app

    @property
    def app(self) -> AlipayApp:
        if self._app is None:
            self._app = AlipayApp.from_settings()
        return self._app

    def checkout_origins(self) -> list[str]:
        # The booking form lands on Huagu's payment page, which sends the browser on to
        # Alipay's gateway in the same navigation.
        gateway = urlsplit(settings.ALIPAY_GATEWAY)
        return [f"{gateway.scheme}://{gateway.netloc}"]

    def cashier_url(self, payment: Payment, *, kind: str, base_url: str) -> str:
        """Alipay's cashier for the order of ``payment``, as the ``kind`` of browser needs it."""
        order = payment.order
        expires = self.payment_expiry(order)
        open_payments = order.payments.filter(provider=self.name, status=Payment.Status.OPEN)
        target = next((p for p in open_payments if p.details.get("kind") == kind), None)
        if target is None:
            undecided = next((p for p in open_payments if not p.details.get("kind")), None)
            target = undecided or Payment(
                order=order, provider=self.name, amount=order.total, redirect_url=""
            )
            target.provider_reference = f"{order.reference}-{secrets.token_hex(4)}"
            target.details = {
                "kind": kind,
                "biz": {
                    "out_trade_no": target.provider_reference,
                    "total_amount": yuan(order.total),
                    "subject": f"Huagu {order.slot.date:%Y-%m-%d} {order.reference}",
                    "product_code": PRODUCT_CODES[kind],
                    "time_expire": beijing_time(expires),
                },
            }
            target.redirect_url = target.redirect_url or payment.redirect_url
            target.save()
        with translation.override(order.language):
            back = reverse("tickets:order", kwargs={"token": order.token})
        return self.app.page_url(
            METHODS[kind],
            target.details["biz"],
            notify_url=urljoin(base_url, reverse("alipay_notify")),
            return_url=urljoin(base_url, f"{back}?paid=1"),
        )

    def refund(self, payment: Payment, *, amount, idempotency_key: str) -> str:
        if not payment.provider_reference:
            return ""  # a free order: nothing was charged
        request_no = REQUEST_NO.sub("-", idempotency_key)[:64]
        self.app.call(
            "alipay.trade.refund",
            {
                "out_trade_no": payment.provider_reference,
                "refund_amount": yuan(amount),
                "out_request_no": request_no,
            },
        )
        # Alipay names a refund by the request number it was asked with.
        return request_no

    def abandon(self, payment: Payment) -> None:
        if payment.provider_reference:
            try:
                self.app.call("alipay.trade.close", {"out_trade_no": payment.provider_reference})
            except AlipayError as error:
                if error.sub_code != "ACQ.TRADE_NOT_EXIST":  # never opened: nothing to close
                    logger.warning("could not close Alipay trade %s", payment.provider_reference)
                    return
        attempt_closed(payment)

    def look_up(self, reference: str) -> dict:
        return self.query(reference)

    def apply(self, payment: Payment, answer: dict) -> str:
        return trade_apply(payment=payment, trade=answer)

    def query(self, out_trade_no: str) -> dict:
        """The trade as Alipay has it now; waiting for the buyer until Alipay has it at all."""
        try:
            return self.app.call("alipay.trade.query", {"out_trade_no": out_trade_no})
        except AlipayError as error:
            if error.sub_code == "ACQ.TRADE_NOT_EXIST":
                # Alipay records a trade once the buyer opens its cashier.
                return {"out_trade_no": out_trade_no, "trade_status": "WAIT_BUYER_PAY"}
            raise
