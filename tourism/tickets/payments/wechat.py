"""WeChat Pay (API v3) for a park with its own mainland merchant account.

Booking sends the tourist to Huagu's own payment page for the order (``wechat_views``),
which picks how to pay from where the tourist is: JSAPI inside WeChat's browser (after
the official account's OAuth gives the tourist's openid), H5 in any other phone browser,
a Native QR code on a desktop. Each of those is one WeChat Pay transaction with its own
``out_trade_no`` (a ``Payment`` row); WeChat Pay refuses to change a transaction's kind.

What WeChat Pay says is applied by ``transaction_apply`` only from a transaction queried
from its API (the notification is a trigger, as Stripe's webhook is), and each change is
conditional on the state it starts from, so notifications, their replays, the tourist's
return and the page's polling agree on one outcome.
"""

import datetime
import logging
import re
import secrets
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ..models import Payment
from .base import PaymentUnavailable
from .settle import DirectProvider, attempt_closed, payment_confirmed
from .wechat_client import WeChatPayClient

logger = logging.getLogger(__name__)

NAME = "wechat_pay"
NATIVE, H5, JSAPI = "native", "h5", "jsapi"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
REFUND_NO = re.compile(r"[^0-9A-Za-z_\-|*@]")


def configured() -> bool:
    """Whether the park has given the merchant settings WeChat Pay needs."""
    return all(
        (
            settings.WECHAT_PAY_MCHID,
            settings.WECHAT_PAY_APPID,
            settings.WECHAT_PAY_CERT_SERIAL_NO,
            settings.WECHAT_PAY_PRIVATE_KEY,
            settings.WECHAT_PAY_APIV3_KEY,
            settings.WECHAT_PAY_PUBLIC_KEY,
            settings.WECHAT_PAY_PUBLIC_KEY_ID,
        )
    )


def fen(amount: Decimal) -> int:
    """CNY in fen (分), the unit of every WeChat Pay amount."""
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _rfc3339(moment: datetime.datetime) -> str:
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


def _notify_url(base_url: str, name: str) -> str:
    return urljoin(base_url, reverse(name))


def transaction_apply(*, payment: Payment, trade: dict) -> str:
    """Drive ``payment``'s order from the transaction as WeChat Pay's API answered it."""
    if trade.get("out_trade_no") != payment.provider_reference:
        raise PaymentUnavailable(f"WeChat Pay answered for another trade than {payment}")
    state = trade.get("trade_state")
    if state in ("SUCCESS", "REFUND"):
        paid = (trade.get("amount") or {}).get("total")
        if paid != fen(payment.amount):
            # Never mark an order paid for an amount it does not cost.
            logger.error("WeChat Pay trade %s paid %r fen", payment.provider_reference, paid)
            raise PaymentUnavailable(f"{payment.provider_reference} was paid {paid!r} fen")
        return payment_confirmed(
            payment=payment, provider_payment_id=trade.get("transaction_id") or ""
        )
    if state in ("CLOSED", "REVOKED", "PAYERROR"):
        return attempt_closed(payment, failed=state == "PAYERROR")
    return "waiting"


class WeChatPayProvider(DirectProvider):
    """WeChat Pay in CNY; the tourist pays in WeChat and comes back to the order."""

    name = NAME
    pay_page = "tickets:wechat_pay"

    def __init__(self, client: WeChatPayClient | None = None):
        self._client = client

    @property
    def client(self) -> WeChatPayClient:
        if self._client is None:
            self._client = WeChatPayClient()
        return self._client

    def checkout_origins(self) -> list[str]:
        # The booking form lands on Huagu's payment page, which may send the tourist on,
        # in the same navigation, to the official account's OAuth or the H5 cashier.
        return list(settings.WECHAT_PAY_CHECKOUT_ORIGINS)

    def open_trade(
        self, payment: Payment, *, kind: str, base_url: str, client_ip="", openid=""
    ) -> Payment:
        """The WeChat Pay transaction of ``kind`` for the order of ``payment``, made once.

        An open payment of the same kind is reused (its QR code or cashier link); the
        first visit turns the booking's undecided payment into one of a kind; another
        kind gets a new payment with its own ``out_trade_no``.
        """
        order = payment.order
        expires = self.payment_expiry(order)
        open_payments = order.payments.filter(provider=self.name, status=Payment.Status.OPEN)
        same = next((p for p in open_payments if p.details.get("kind") == kind), None)
        if same is not None and same.provider_reference:
            return same
        undecided = next((p for p in open_payments if not p.details.get("kind")), None)
        target = undecided or Payment(order=order, provider=self.name, amount=order.total)
        out_trade_no = f"{order.reference}-{secrets.token_hex(4)}"
        with translation.override(order.language):
            description = f"{order.slot.date:%Y-%m-%d} {order.reference}"
        fields = {
            "description": f"Huagu {description}",
            "out_trade_no": out_trade_no,
            "time_expire": _rfc3339(expires),
            "notify_url": _notify_url(base_url, "wechat_pay_notify"),
            "amount": {"total": fen(order.total), "currency": "CNY"},
        }
        if kind == NATIVE:
            details = {"kind": kind, "code_url": self.client.native(**fields)}
        elif kind == H5:
            details = {"kind": kind, "h5_url": self.client.h5(client_ip=client_ip, **fields)}
        else:
            details = {"kind": kind, "prepay_id": self.client.jsapi(openid=openid, **fields)}
        target.provider_reference = out_trade_no
        target.details = details
        if not target.redirect_url:
            target.redirect_url = payment.redirect_url
        target.save()
        return target

    def refund(self, payment: Payment, *, amount, idempotency_key: str) -> str:
        if not payment.provider_reference:
            return ""  # a free order: nothing was charged
        answer = self.client.refund(
            out_trade_no=payment.provider_reference,
            out_refund_no=REFUND_NO.sub("-", idempotency_key)[:64],
            refund=fen(amount),
            total=fen(payment.amount),
            notify_url=_notify_url(settings.SITE_BASE_URL, "wechat_pay_refund_notify"),
        )
        return answer.get("refund_id", "")

    def abandon(self, payment: Payment) -> None:
        if not payment.provider_reference:
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.OPEN).update(
                status=Payment.Status.EXPIRED
            )
            return
        try:
            self.client.close(payment.provider_reference)
        except PaymentUnavailable:
            # Best effort: the transaction closes at its time_expire anyway, and a payment
            # made meanwhile is refunded when its notification finds the order ended.
            logger.warning("could not close WeChat Pay trade %s", payment.provider_reference)
            return
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.OPEN).update(
            status=Payment.Status.EXPIRED
        )

    def look_up(self, reference: str) -> dict:
        return self.client.query(reference)

    def apply(self, payment: Payment, answer: dict) -> str:
        return transaction_apply(payment=payment, trade=answer)
