"""The tourist's Alipay page for an order (on to Alipay's cashier) and Alipay's notifications.

The notification at ``/payments/alipay/notify/`` is only a trigger: its signature is
checked with Alipay's public key, the trade is queried from Alipay's API and the order
driven from that answer, and its ``notify_id`` recorded once in the same transaction.
Alipay counts the notification delivered only when the answer is the text ``success``,
so that is said only once it is handled; anything else has it sent again.
"""

import logging
import re

from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Order, Payment, ProcessedEvent
from .pay_pages import order_url, provider_unavailable
from .payments import PaymentUnavailable
from .payments.alipay import NAME, PAGE, WAP, AlipayProvider, trade_apply
from .payments.alipay_client import NotGenuine
from .payments.choice import on_phone
from .views import _order_for

logger = logging.getLogger(__name__)
HANDLED = {"TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED"}
NOTIFY_ID = re.compile(r"^[0-9A-Za-z_\-]{1,128}$")


@never_cache
@require_GET
def alipay_pay(request, token):
    """On to Alipay's cashier: the phone-website payment on phones, else the computer one."""
    order = _order_for(token)
    payment = (
        order.payments.filter(provider=NAME, status=Payment.Status.OPEN).order_by("pk").first()
    )
    if order.status != Order.Status.PENDING or payment is None:
        return redirect(order_url(request, order))
    kind = WAP if on_phone(request) else PAGE
    try:
        url = AlipayProvider().cashier_url(
            payment, kind=kind, base_url=request.build_absolute_uri("/")
        )
    except PaymentUnavailable:
        logger.exception("Alipay could not open a %s payment for %s", kind, order.reference)
        return provider_unavailable(request, order, provider=_("Alipay"))
    return redirect(url)


def _answer(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def alipay_notify(request):
    """One notification: ``success`` once handled (or not ours), ``fail`` to have it sent again."""
    provider = AlipayProvider()
    fields = request.POST.dict()
    try:
        provider.app.notification(fields)
    except NotGenuine as error:
        logger.warning("an Alipay notification did not verify: %s", error)
        return _answer("fail", status=400)
    notify_id, status = fields.get("notify_id", ""), fields.get("trade_status", "")
    if not NOTIFY_ID.match(notify_id):
        return _answer("fail", status=400)
    if status not in HANDLED:
        return _answer("success")
    if ProcessedEvent.objects.filter(provider=NAME, event_id=notify_id).exists():
        return _answer("success")
    payment = Payment.objects.filter(
        provider=NAME, provider_reference=fields.get("out_trade_no") or "-"
    ).first()
    if payment is None:
        logger.warning("Alipay notified a trade Huagu does not know: %s", notify_id)
        return _answer("success")
    try:
        # Asked before the transaction, so no lock waits on the network.
        trade = provider.query(payment.provider_reference)
        with transaction.atomic():
            if services.event_record_once(provider=NAME, event_id=notify_id, event_type=status):
                trade_apply(payment=payment, trade=trade)
    except PaymentUnavailable:
        logger.warning("Alipay could not be queried for %s", notify_id)
        return _answer("fail", status=503)
    except DatabaseError:
        logger.exception("database error while handling Alipay's %s", notify_id)
        return _answer("fail", status=503)
    return _answer("success")


urlpatterns = [path("notify/", alipay_notify, name="alipay_notify")]
