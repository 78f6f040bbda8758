"""Find my tickets, the tourist's pages: ask for a code, type it, see and cancel upcoming orders.

The session keeps the phone/email a code was sent to (to type the code against) and, once
the code is right, the verified phone/email until ``TICKETS_LOOKUP_SESSION_MINUTES`` pass
or the tourist signs out.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import lookup, services
from .lookup import Identity, LookupRefused
from .ratelimit import client_address

PENDING = "tickets_lookup_pending"
VERIFIED = "tickets_lookup"


def _verified(request) -> Identity | None:
    data = request.session.get(VERIFIED)
    if not data:
        return None
    if data["until"] <= timezone.now().timestamp():
        del request.session[VERIFIED]
        return None
    return Identity(data["kind"], data["value"])


def _pending(request) -> Identity | None:
    data = request.session.get(PENDING)
    return Identity(data["kind"], data["value"]) if data else None


@never_cache
@require_http_methods(["GET", "POST"])
def find(request):
    if _verified(request) is not None:
        return redirect("tickets:find_orders")
    value = request.POST.get("contact", "")[:254] if request.method == "POST" else ""
    context = {"value": value, "code_minutes": settings.TICKETS_LOOKUP_CODE_MINUTES}
    if request.method == "POST":
        try:
            identity = lookup.lookup_identity(value)
            lookup.lookup_code_send(
                identity=identity, address=client_address(request), language=get_language()
            )
        except LookupRefused as refused:
            context["error"] = refused.message
            return TemplateResponse(
                request, "tourism/tickets/find.html", context, status=refused.status
            )
        request.session[PENDING] = {"kind": identity.kind, "value": identity.value}
        return redirect("tickets:find_code")
    return TemplateResponse(request, "tourism/tickets/find.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def find_code(request):
    identity = _pending(request)
    if identity is None:
        return redirect("tickets:find")
    context = {
        "identity": identity,
        "code_minutes": settings.TICKETS_LOOKUP_CODE_MINUTES,
    }
    if request.method == "POST":
        try:
            lookup.lookup_code_verify(
                identity=identity,
                code=request.POST.get("code", "")[:32],
                address=client_address(request),
            )
        except LookupRefused as refused:
            context["error"] = refused.message
            return TemplateResponse(
                request, "tourism/tickets/find_code.html", context, status=refused.status
            )
        # A new session key for the proven phone/email: a key fixed before cannot ride on it.
        request.session.cycle_key()
        request.session.pop(PENDING, None)
        until = timezone.now() + datetime.timedelta(minutes=settings.TICKETS_LOOKUP_SESSION_MINUTES)
        request.session[VERIFIED] = {
            "kind": identity.kind,
            "value": identity.value,
            "until": until.timestamp(),
        }
        return redirect("tickets:find_orders")
    return TemplateResponse(request, "tourism/tickets/find_code.html", context)


@never_cache
def find_orders(request):
    identity = _verified(request)
    if identity is None:
        messages.info(request, _("Please confirm your phone number or email address again."))
        return redirect("tickets:find")
    now = timezone.now()
    orders = [
        {
            "order": order,
            "deadline": services.cancellation_deadline(order),
            "can_cancel": now <= services.cancellation_deadline(order),
        }
        for order in lookup.lookup_orders(identity=identity)
    ]
    context = {"identity": identity, "orders": orders}
    return TemplateResponse(request, "tourism/tickets/find_orders.html", context)


@require_POST
def find_cancel(request, reference):
    identity = _verified(request)
    if identity is None:
        messages.info(request, _("Please confirm your phone number or email address again."))
        return redirect("tickets:find")
    try:
        order = lookup.lookup_order_cancel(identity=identity, reference=reference[:20])
    except LookupRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Booking %(ref)s is cancelled. Any payment is refunded to where it came from.")
            % {"ref": order.reference},
        )
    return redirect("tickets:find_orders")


@require_POST
def find_sign_out(request):
    request.session.pop(VERIFIED, None)
    request.session.pop(PENDING, None)
    messages.info(request, _("You have left your bookings. Nobody can see them on this phone now."))
    return redirect("tickets:find")
