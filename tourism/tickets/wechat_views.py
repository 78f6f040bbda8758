"""The tourist's WeChat Pay page for an order, the official account's OAuth return, and the
status the page polls.

Where the tourist is decides how they pay: inside WeChat's browser the JSAPI payment (the
openid first, from the official account's OAuth redirect: ``snsapi_base``, silent), in
another phone browser WeChat Pay's H5 cashier, on a desktop the Native QR code, shown
here while the page asks every few seconds whether it has been paid.
"""

import logging
import secrets
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Order, Payment
from .pay_pages import order_url, provider_unavailable
from .payments import PaymentUnavailable
from .payments.choice import in_wechat, on_phone
from .payments.wechat import H5, JSAPI, NAME, NATIVE, WeChatPayProvider
from .views import _order_for, qr_svg

logger = logging.getLogger(__name__)

OPENID_KEY = "wechat_openid"
STATE_KEY = "wechat_oauth_state"


def payer_kind(request) -> str:
    """How this browser pays: JSAPI inside WeChat, H5 on another phone, Native on a desktop."""
    if in_wechat(request):
        return JSAPI
    return H5 if on_phone(request) else NATIVE


def _unavailable(request, order: Order, status=503):
    return provider_unavailable(request, order, provider=_("WeChat Pay"), status=status)


def _oauth_redirect(request, order: Order) -> HttpResponseRedirect:
    """To the official account's silent authorisation, which comes back with a code."""
    state = secrets.token_urlsafe(16)
    request.session[STATE_KEY] = state
    back = request.build_absolute_uri(
        reverse("tickets:wechat_pay_oauth", kwargs={"token": order.token})
    )
    query = urlencode(
        {
            "appid": settings.WECHAT_PAY_APPID,
            "redirect_uri": back,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        },
        quote_via=quote,
    )
    return redirect(
        f"{settings.WECHAT_OAUTH_BASE}/connect/oauth2/authorize?{query}#wechat_redirect"
    )


@never_cache
@require_GET
def wechat_pay(request, token):
    """Open (or show again) the order's WeChat Pay payment in the way this browser pays."""
    order = _order_for(token)
    payment = (
        order.payments.filter(provider=NAME, status=Payment.Status.OPEN).order_by("pk").first()
    )
    if order.status != Order.Status.PENDING or payment is None:
        return redirect(order_url(request, order))
    kind = payer_kind(request)
    openid = request.session.get(OPENID_KEY, "") if kind == JSAPI else ""
    if kind == JSAPI and not openid:
        return _oauth_redirect(request, order)
    provider = WeChatPayProvider()
    try:
        trade = provider.open_trade(
            payment,
            kind=kind,
            base_url=request.build_absolute_uri("/"),
            client_ip=request.META.get("REMOTE_ADDR", ""),
            openid=openid,
        )
    except PaymentUnavailable:
        logger.exception("WeChat Pay could not open a %s payment for %s", kind, order.reference)
        return _unavailable(request, order)
    if kind == H5:
        back = quote(order_url(request, order, paid=1), safe="")
        return redirect(f"{trade.details['h5_url']}&redirect_url={back}")
    context = {
        "order": order,
        "kind": kind,
        "order_url": order_url(request, order),
        "paid_url": order_url(request, order, paid=1),
        "status_url": reverse("tickets:wechat_pay_status", kwargs={"token": order.token}),
    }
    if kind == NATIVE:
        # segno's SVG holds only the title given here and path data: safe to insert.
        context["qr"] = mark_safe(qr_svg(trade.details["code_url"], title=_("WeChat Pay QR code")))
    else:
        context["jsapi"] = provider.client.merchant.jsapi_parameters(trade.details["prepay_id"])
    return TemplateResponse(request, "tourism/tickets/wechat_pay.html", context)


@never_cache
@require_GET
def wechat_pay_oauth(request, token):
    """Back from the official account's authorisation: the tourist's openid, then pay."""
    order = _order_for(token)
    state, code = request.GET.get("state", ""), request.GET.get("code", "")
    expected = request.session.pop(STATE_KEY, None)
    if not code or not expected or not secrets.compare_digest(state, expected):
        return _unavailable(request, order, status=400)
    try:
        answer = requests.get(
            f"{settings.WECHAT_API_BASE}/sns/oauth2/access_token",
            params={
                "appid": settings.WECHAT_PAY_APPID,
                "secret": settings.WECHAT_PAY_APP_SECRET,
                "code": code,
                "grant_type": "authorization_code",
            },
            timeout=10,
        ).json()
    except (requests.RequestException, ValueError):
        logger.exception("the WeChat OAuth code of %s could not be exchanged", order.reference)
        return _unavailable(request, order)
    openid = answer.get("openid") if isinstance(answer, dict) else None
    if not isinstance(openid, str) or not openid:
        logger.warning("WeChat OAuth refused the code for %s: %s", order.reference, answer)
        return _unavailable(request, order, status=400)
    request.session[OPENID_KEY] = openid
    return redirect("tickets:wechat_pay", token=order.token)


@never_cache
@require_GET
def wechat_pay_status(request, token):
    """The order's status for the payment page, asking WeChat Pay while it is pending."""
    order = _order_for(token)
    if order.status == Order.Status.PENDING and order.provider == NAME:
        WeChatPayProvider().sync(order)
        order.refresh_from_db(fields=["status"])
    return JsonResponse({"status": order.status, "paid": order.status == Order.Status.PAID})
