"""Stripe's webhook at ``/payments/stripe/webhook/`` (its own URLconf, outside the languages).

An event is only a trigger. Its signature is checked, the object it names is fetched
again from Stripe's API, and the order is driven from that object's state, so forged,
stale, replayed or out-of-order events cannot move an order the wrong way. Each event
id is recorded in the same transaction as its handling: a handling that fails leaves
the event unrecorded and Stripe delivers it again.
"""

import logging
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import Order, Payment, ProcessedEvent
from .payments import PaymentUnavailable
from .payments.stripe import api_options, checkout_session_apply, session_retrieve

logger = logging.getLogger(__name__)

PROVIDER = "stripe"
SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


class _Ignored(Exception):
    """The event names nothing of ours."""


def _answer(http_status: int, **body) -> JsonResponse:
    return JsonResponse(body, status=http_status)


def _session_handling(obj):
    """The payment the session belongs to, and a handler applying the session as Stripe has it."""
    session_id = getattr(obj, "id", None)
    payment = (
        Payment.objects.filter(provider=PROVIDER, provider_reference=session_id).first()
        if isinstance(session_id, str) and session_id
        else None
    )
    if payment is None:
        raise _Ignored
    session = session_retrieve(session_id)
    return lambda: checkout_session_apply(payment=payment, session=session)


def _charge_refunded_handling(obj):
    """A refund made in Stripe's dashboard ends the paid order it belongs to."""
    intent = getattr(obj, "payment_intent", None)
    payment = (
        Payment.objects.filter(provider=PROVIDER, provider_payment_id=intent).first()
        if isinstance(intent, str) and intent
        else None
    )
    if payment is None:
        raise _Ignored
    try:
        charge = stripe.Charge.retrieve(obj.id, expand=["refunds"], **api_options())
    except stripe.StripeError as error:
        raise PaymentUnavailable(str(error)) from error
    if getattr(charge, "payment_intent", None) != intent or not getattr(charge, "refunded", False):
        # Another payment's charge, or only part of it given back: staff settle partial
        # refunds by hand, so the order stays as it is.
        return lambda: "unchanged"
    refunds = getattr(getattr(charge, "refunds", None), "data", None) or []
    amount = (Decimal(charge.amount_refunded) / 100).quantize(Decimal("0.01"))

    def handle():
        refunded = services.order_refunded_externally(
            order=Order.objects.get(pk=payment.order_id),
            payment=payment,
            amount=amount,
            provider_reference=refunds[0].id if refunds else "",
        )
        return "refunded" if refunded else "unchanged"

    return handle


HANDLINGS = {event: _session_handling for event in SESSION_EVENTS}
HANDLINGS["charge.refunded"] = _charge_refunded_handling


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Receive one Stripe event: 400 if it is not genuinely Stripe's, 503 to have it sent again."""
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
        )
        event_id, event_type, obj = event.id, event.type, event.data.object
        if not isinstance(event_id, str) or not isinstance(event_type, str):
            raise ValueError("an event has a string id and type")
    except stripe.SignatureVerificationError:
        return _answer(400, error="The Stripe-Signature header does not verify.")
    except (ValueError, TypeError, AttributeError, KeyError):
        # Not UTF-8, not JSON, or not shaped like an event.
        return _answer(400, error="The body is not a Stripe event.")

    handling = HANDLINGS.get(event_type)
    if handling is None:
        return _answer(200, status="ignored")
    # A replay is answered without asking Stripe anything; the authoritative check is
    # the insert below, inside the handling's transaction.
    if ProcessedEvent.objects.filter(provider=PROVIDER, event_id=event_id).exists():
        return _answer(200, status="duplicate")
    try:
        # Fetch from Stripe before the transaction, so no lock waits on the network.
        handle = handling(obj)
        with transaction.atomic():
            if not services.event_record_once(
                provider=PROVIDER, event_id=event_id, event_type=event_type
            ):
                return _answer(200, status="duplicate")
            outcome = handle()
    except _Ignored:
        return _answer(200, status="ignored")
    except PaymentUnavailable:
        logger.warning("Stripe unreachable while handling %s %s", event_type, event_id)
        return _answer(503, error="Stripe could not be reached; send the event again.")
    except DatabaseError:
        logger.exception("database error while handling %s %s", event_type, event_id)
        return _answer(503, error="The event could not be recorded; send it again.")
    return _answer(200, status=outcome)


urlpatterns = [path("", stripe_webhook, name="stripe_webhook")]
