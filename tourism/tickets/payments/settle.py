"""What every direct provider does once its API confirms a payment (WeChat Pay, Alipay)."""

from django.db import transaction

from .. import services
from ..models import Order, Payment


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
