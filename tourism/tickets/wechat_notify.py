"""WeChat Pay's notifications at ``/payments/wechat/`` (their own URLconf, outside the languages).

A notification is only a trigger, as Stripe's webhook is. Its signature is checked with
WeChat Pay's public key and its resource decrypted with the API v3 key; the transaction
it names is then queried from WeChat Pay's API and the order driven from that answer.
Each notification id is recorded in the same transaction as its handling, so a replay
changes nothing and a handling that fails leaves it unrecorded for WeChat Pay to send
again. WeChat Pay counts a 2xx answer as received and retries anything else.
"""

import logging

from django.db import DatabaseError, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import Order, Payment, ProcessedEvent, Refund
from .payments import PaymentUnavailable
from .payments.wechat import NAME, transaction_apply
from .payments.wechat_client import NotGenuine, WeChatPayClient

logger = logging.getLogger(__name__)


def _fail(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


def _received() -> HttpResponse:
    return HttpResponse(status=204)


def _read(request) -> tuple[WeChatPayClient, str, str, dict]:
    client = WeChatPayClient()
    envelope, resource = client.notification(request.headers, request.body)
    event_id, event_type = envelope.get("id"), envelope.get("event_type")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
        raise NotGenuine("a notification has a string id and event_type")
    return client, event_id, event_type, resource


def _handled_once(event_id: str, event_type: str, handle) -> HttpResponse:
    try:
        with transaction.atomic():
            if services.event_record_once(provider=NAME, event_id=event_id, event_type=event_type):
                handle()
    except PaymentUnavailable:
        logger.warning("WeChat Pay unreachable while handling %s %s", event_type, event_id)
        return _fail(503, "WeChat Pay could not be queried; send the notification again.")
    except DatabaseError:
        logger.exception("database error while handling %s %s", event_type, event_id)
        return _fail(503, "The notification could not be recorded; send it again.")
    return _received()


@csrf_exempt
@require_POST
def wechat_pay_notify(request):
    """A payment's notification: 401 unless genuinely WeChat Pay's, 503 to have it sent again."""
    try:
        client, event_id, event_type, resource = _read(request)
    except NotGenuine as error:
        logger.warning("a WeChat Pay notification did not verify: %s", error)
        return _fail(401, "The notification does not verify.")
    if event_type != "TRANSACTION.SUCCESS":
        return _received()
    if ProcessedEvent.objects.filter(provider=NAME, event_id=event_id).exists():
        return _received()
    out_trade_no = resource.get("out_trade_no")
    payment = (
        Payment.objects.filter(provider=NAME, provider_reference=out_trade_no).first()
        if isinstance(out_trade_no, str) and out_trade_no
        else None
    )
    if payment is None:
        # Genuine but not ours (another system on the same merchant): received, ignored.
        logger.warning("WeChat Pay notified a trade Huagu does not know: %r", out_trade_no)
        return _received()
    try:
        # Asked before the transaction, so no lock waits on the network.
        trade = client.query(out_trade_no)
    except PaymentUnavailable:
        return _fail(503, "WeChat Pay could not be queried; send the notification again.")
    return _handled_once(
        event_id, event_type, lambda: transaction_apply(payment=payment, trade=trade)
    )


@csrf_exempt
@require_POST
def wechat_pay_refund_notify(request):
    """A refund's outcome: logged on the order, so the desk sees a refund that failed."""
    try:
        client, event_id, event_type, resource = _read(request)
    except NotGenuine as error:
        logger.warning("a WeChat Pay refund notification did not verify: %s", error)
        return _fail(401, "The notification does not verify.")
    refund = (
        Refund.objects.filter(
            payment__provider=NAME, provider_reference=resource.get("refund_id") or "-"
        )
        .select_related("payment")
        .first()
    )
    if refund is None:
        logger.warning("WeChat Pay notified a refund Huagu does not know: %s", event_id)
        return _received()
    out_refund_no = resource.get("out_refund_no")
    try:
        answer = client.refund_query(out_refund_no) if isinstance(out_refund_no, str) else {}
    except PaymentUnavailable:
        return _fail(503, "WeChat Pay could not be queried; send the notification again.")

    def handle():
        status = answer.get("status", "")
        action = "refund_confirmed" if status == "SUCCESS" else "refund_not_completed"
        services._log(
            Order.objects.get(pk=refund.payment.order_id),
            action,
            provider=NAME,
            refund=refund.provider_reference,
            status=status,
            amount=str(refund.amount),
        )

    return _handled_once(event_id, event_type, handle)


urlpatterns = [
    path("notify/", wechat_pay_notify, name="wechat_pay_notify"),
    path("refund-notify/", wechat_pay_refund_notify, name="wechat_pay_refund_notify"),
]
