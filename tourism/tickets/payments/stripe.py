"""Stripe Checkout: cards, and Alipay or WeChat Pay where the merchant's account offers them.

Every call passes ``api_key`` itself rather than setting ``stripe.api_key``, so the key
lives in settings only. What Stripe says about a session is applied by
``checkout_session_apply``, which the webhook and the tourist's return both use: the
retrieved session is the truth, never an event's payload.
"""

import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urljoin

import stripe
from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from .. import services
from ..models import Order, Payment
from .base import PaymentProvider, PaymentUnavailable

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.stripe.com"
# Stripe refuses a Checkout Session that would expire less than 30 minutes (or more
# than 24 hours) after it is created.
SESSION_MINIMUM = datetime.timedelta(minutes=30)
SESSION_MAXIMUM = datetime.timedelta(hours=24)
# The order's hold ends after the session, so a payment made in the session's last
# second still finds its places held.
HOLD_OUTLASTS_SESSION = datetime.timedelta(seconds=60)
# Time allowed between taking the places and reaching Stripe.
START_ALLOWANCE = datetime.timedelta(seconds=60)


def fen(amount: Decimal) -> int:
    """CNY in Stripe's smallest unit (分)."""
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def api_options(**extra) -> dict:
    """Request options for one call: the secret key from settings, plus ``extra``."""
    if settings.STRIPE_API_BASE != DEFAULT_API_BASE and stripe.api_base == DEFAULT_API_BASE:
        # A test deployment's stand-in for Stripe (the SDK reads its address module-wide).
        stripe.api_base = settings.STRIPE_API_BASE
    return {"api_key": settings.STRIPE_SECRET_KEY, **extra}


def session_retrieve(session_id: str):
    """The Checkout Session as Stripe has it now, with its PaymentIntent expanded."""
    try:
        return stripe.checkout.Session.retrieve(
            session_id, expand=["payment_intent"], **api_options()
        )
    except stripe.StripeError as error:
        raise PaymentUnavailable(str(error)) from error


def _field(obj, name: str):
    # Stripe objects raise AttributeError for fields the API left out.
    return getattr(obj, name, None) if obj is not None else None


def checkout_session_apply(*, payment: Payment, session) -> str:
    """Drive ``payment``'s order from its retrieved Checkout Session; returns what happened.

    Safe to call any number of times and in any order: each change is conditional on
    the state it starts from, so the webhook, its replays and the tourist's return page
    agree on one outcome.
    """
    status = _field(session, "status")
    payment_status = _field(session, "payment_status")
    intent = _field(session, "payment_intent")
    intent_id = intent if isinstance(intent, str) else (_field(intent, "id") or "")
    intent_status = None if isinstance(intent, str) else _field(intent, "status")

    with transaction.atomic():
        if status == "complete" and payment_status in ("paid", "no_payment_required"):
            # Claiming the payment is the once-only step: a concurrent caller waits on
            # this row and then finds it already succeeded.
            claimed = (
                Payment.objects.filter(pk=payment.pk)
                .exclude(status=Payment.Status.SUCCEEDED)
                .update(provider_payment_id=intent_id)
            )
            if not claimed:
                return "already"
            payment.refresh_from_db()
            return services.order_mark_paid(order=payment.order, payment=payment)
        if status == "complete" and intent_status in ("requires_payment_method", "canceled"):
            # An asynchronous method (e.g. a bank debit) failed after the session closed.
            failed = services.order_payment_failed(order=payment.order, payment=payment)
            return "failed" if failed else "unchanged"
        if status == "expired":
            expired = services.order_payment_expired(order=payment.order, payment=payment)
            return "expired" if expired else "unchanged"
    # Still open, or an asynchronous payment still processing.
    return "waiting"


class StripeProvider(PaymentProvider):
    """Stripe Checkout in CNY; the tourist pays on Stripe's page and comes back to the order."""

    name = "stripe"
    online = True

    def checkout_origins(self) -> list[str]:
        return list(settings.STRIPE_CHECKOUT_ORIGINS)

    def hold_duration(self) -> datetime.timedelta:
        return max(
            super().hold_duration(), SESSION_MINIMUM + HOLD_OUTLASTS_SESSION + START_ALLOWANCE
        )

    def _session_expiry(self, order: Order, now: datetime.datetime) -> datetime.datetime:
        expires = order.hold_expires_at - HOLD_OUTLASTS_SESSION
        if expires < now + SESSION_MINIMUM:
            # Stripe would refuse a shorter session, and a longer one would outlast the
            # places held for it.
            raise PaymentUnavailable(f"the hold on {order.reference} is too short for Checkout")
        return min(expires, now + SESSION_MAXIMUM - START_ALLOWANCE)

    def start_payment(self, order: Order, *, base_url: str) -> Payment:
        if order.total <= 0:
            # Only free tickets: Stripe takes no zero payments, and nothing is owed.
            payment = Payment.objects.create(order=order, provider=self.name, amount=order.total)
            services.order_mark_paid(order=order, payment=payment)
            return payment

        now = timezone.now()
        expires_at = self._session_expiry(order, now)
        with translation.override(order.language):
            order_url = urljoin(base_url, reverse("tickets:order", kwargs={"token": order.token}))
            visit = f"{order.slot.date:%Y-%m-%d} {order.slot.time_label}"
            line_items = [
                {
                    "quantity": line.quantity,
                    "price_data": {
                        "currency": "cny",
                        "unit_amount": fen(line.unit_price),
                        "product_data": {"name": f"{line.ticket_type.display_name} · {visit}"},
                    },
                }
                for line in order.lines.select_related("ticket_type").order_by("pk")
            ]
        methods = list(settings.STRIPE_PAYMENT_METHODS) or ["card"]
        params = {
            "mode": "payment",
            "currency": "cny",
            "line_items": line_items,
            "payment_method_types": methods,
            "customer_email": order.contact_email,
            "client_reference_id": order.reference,
            "metadata": {"order_reference": order.reference},
            "payment_intent_data": {"metadata": {"order_reference": order.reference}},
            "expires_at": int(expires_at.timestamp()),
            "success_url": f"{order_url}?paid=1",
            "cancel_url": order_url,
            "locale": "en" if order.language == "en" else "zh",
        }
        if "wechat_pay" in methods:
            # WeChat Pay needs to know it is paying from a web page (a QR code to scan).
            params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
        try:
            session = stripe.checkout.Session.create(
                **params, **api_options(idempotency_key=f"checkout-{order.reference}")
            )
        except stripe.StripeError as error:
            raise PaymentUnavailable(str(error)) from error
        # A retried start gets the same session back from Stripe, hence get_or_create.
        payment, _ = Payment.objects.get_or_create(
            provider_reference=session.id,
            defaults={
                "order": order,
                "provider": self.name,
                "amount": order.total,
                "redirect_url": session.url,
            },
        )
        return payment

    def refund(self, payment: Payment, *, amount, idempotency_key: str) -> str:
        if payment.provider_reference is None:
            return ""  # the free order's payment: nothing was charged
        intent = payment.provider_payment_id
        if not intent:
            session_intent = _field(session_retrieve(payment.provider_reference), "payment_intent")
            intent = (
                session_intent if isinstance(session_intent, str) else _field(session_intent, "id")
            )
        if not intent:
            raise PaymentUnavailable(
                f"session {payment.provider_reference} has no payment to refund"
            )
        try:
            refund = stripe.Refund.create(
                payment_intent=intent,
                amount=fen(amount),
                metadata={"order_reference": payment.order.reference},
                **api_options(idempotency_key=idempotency_key),
            )
        except stripe.StripeError as error:
            raise PaymentUnavailable(str(error)) from error
        return refund.id

    def abandon(self, payment: Payment) -> None:
        if not payment.provider_reference:
            return
        try:
            session = stripe.checkout.Session.expire(payment.provider_reference, **api_options())
        except stripe.StripeError:
            # Best effort: a session left open still expires on its own, and a payment
            # made in it meanwhile is refunded when its webhook finds the order ended.
            logger.warning("could not expire Stripe session %s", payment.provider_reference)
            return
        if _field(session, "status") == "expired":
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.OPEN).update(
                status=Payment.Status.EXPIRED
            )

    def sync(self, order: Order) -> None:
        open_payments = order.payments.filter(
            provider=self.name, status=Payment.Status.OPEN, provider_reference__isnull=False
        )
        for payment in open_payments:
            try:
                checkout_session_apply(
                    payment=payment, session=session_retrieve(payment.provider_reference)
                )
            except (PaymentUnavailable, DatabaseError):
                # The tourist sees the order as it stands; Stripe's webhook retries.
                logger.warning("could not bring %s up to date with Stripe", order.reference)
