"""What the direct providers (WeChat Pay, Alipay) share: the tourist goes through Huagu's own
payment page for the order, and a payment their API confirms is applied the same way."""

import datetime
import logging
from urllib.parse import urljoin

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from .. import services
from ..models import Order, Payment
from .base import PaymentProvider, PaymentUnavailable

logger = logging.getLogger(__name__)

# The provider's payment closes this long before the order's hold ends, so a payment made
# in its last second still finds the places held.
HOLD_OUTLASTS_PAYMENT = datetime.timedelta(seconds=60)
# The providers want an expiry at least a minute ahead; the page needs time to open.
SHORTEST_PAYMENT = datetime.timedelta(minutes=5)


class DirectProvider(PaymentProvider):
    """A provider paid through Huagu's own page for the order (``pay_page``, a URL name).

    Booking creates an undecided ``Payment`` leading to that page; the page opens the
    provider's payment of the kind the browser needs. ``look_up`` asks the provider's API
    for a payment's state and ``apply`` drives the order from that answer.
    """

    online = True
    pay_page = ""

    def hold_duration(self) -> datetime.timedelta:
        return max(super().hold_duration(), SHORTEST_PAYMENT + HOLD_OUTLASTS_PAYMENT)

    def start_payment(self, order: Order, *, base_url: str) -> Payment:
        if order.total <= 0:
            # Only free tickets: nothing is owed.
            payment = Payment.objects.create(order=order, provider=self.name, amount=order.total)
            services.order_mark_paid(order=order, payment=payment)
            return payment
        with translation.override(order.language):
            page = urljoin(base_url, reverse(self.pay_page, kwargs={"token": order.token}))
        return Payment.objects.create(
            order=order, provider=self.name, amount=order.total, redirect_url=page, details={}
        )

    def payment_expiry(self, order: Order) -> datetime.datetime:
        """When the provider's payment for ``order`` closes; refused when too close to pay."""
        expires = order.hold_expires_at - HOLD_OUTLASTS_PAYMENT
        if expires < timezone.now() + datetime.timedelta(minutes=1):
            raise PaymentUnavailable(f"the hold on {order.reference} is too short to pay")
        return expires

    def look_up(self, reference: str) -> dict:
        raise NotImplementedError

    def apply(self, payment: Payment, answer: dict) -> str:
        raise NotImplementedError

    def sync(self, order: Order) -> None:
        open_payments = order.payments.filter(
            provider=self.name, status=Payment.Status.OPEN, provider_reference__isnull=False
        )
        for payment in open_payments:
            try:
                self.apply(payment, self.look_up(payment.provider_reference))
            except PaymentUnavailable:
                logger.warning("could not bring %s up to date with %s", order.reference, self.name)


def payment_confirmed(*, payment: Payment, provider_payment_id: str) -> str:
    """Record ``payment`` as paid and drive its order; returns what happened.

    Claiming the payment is the once-only step: a concurrent caller (the notification and
    the tourist's return at once) waits on the row and then finds it already claimed.
    Paid twice (a QR code on a desktop and again on a phone), the order keeps the first
    payment and this one goes straight back.
    """
    with transaction.atomic():
        claimed = (
            Payment.objects.filter(pk=payment.pk)
            .exclude(status=Payment.Status.SUCCEEDED)
            .update(provider_payment_id=provider_payment_id)
        )
        if not claimed:
            return "already"
        payment.refresh_from_db()
        order = Order.objects.get(pk=payment.order_id)
        outcome = services.order_mark_paid(order=order, payment=payment)
        if outcome == "already":
            services._refund_payment(order=order, payment=payment, reason="paid_twice")
            services._log(order, "paid_twice_refunded", amount=str(payment.amount))
            return "refunded"
        return outcome


def attempt_closed(payment: Payment, *, failed: bool = False) -> str:
    """One attempt is over unpaid; the order's hold runs out on its own unless another is paid."""
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.OPEN).update(
        status=Payment.Status.FAILED if failed else Payment.Status.EXPIRED
    )
    return "closed"
