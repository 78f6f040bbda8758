"""The gate: staff admit visitors by scanning a ticket's QR code or typing its code.

The page works without JavaScript (the typed code is a plain form POST and the answer is
rendered by the server); with JavaScript, ``gate.js`` scans with the camera and posts to
``gate_check_in``, which answers JSON. Both call ``services.ticket_check_in``, which
records who admitted whom and takes the money for pay-at-gate orders.
"""

import json

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .gate_id import gate_admit
from .selectors import gate_day_summary
from .services import CheckIn

PERMISSION = "tourism.check_in_ticket"


class GateCodeForm(forms.Form):
    """What the QR code says, the ticket code typed from it, or a visitor's ID number."""

    # Long enough for anything a QR code on a ticket could say; anything else is not a ticket.
    code = forms.CharField(label=gettext_lazy("Ticket code or ID number"), max_length=512)


def staff_with(permission: str):
    """Views for signed-in staff holding ``permission``: others get 403, anonymous users sign in."""

    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


_gate_staff_only = staff_with(PERMISSION)


def noindex(response):
    # robots.txt keeps crawlers off /gate/; the header also covers /en/gate/ and stray links.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _ticket_data(check_in: CheckIn, user=None) -> dict | None:
    ticket = check_in.ticket
    if ticket is None:
        return None
    order = ticket.order
    visitor = getattr(ticket, "visitor", None)
    named = [visitor.name, visitor.shown_number(user)] if visitor is not None else []
    return {
        "visitor": visitor.name if visitor is not None else None,
        "id_number": visitor.shown_number(user) if visitor is not None else None,
        "code": ticket.code,
        "type": ticket.ticket_type.display_name,
        "order": order.reference,
        "name": order.contact_name,
        "visitors": order.quantity,
        "date": order.slot.date.isoformat(),
        "time": order.slot.time_label,
        "checked_in_at": (
            timezone.localtime(ticket.checked_in_at).isoformat() if ticket.checked_in_at else None
        ),
        "checked_in_by": ticket.checked_in_by.get_username() if ticket.checked_in_by else None,
        "group": _group_data(check_in),
        # A box-office sale has no contact name: no empty part between two dots.
        "summary": " · ".join(
            part
            for part in [
                *named,
                ticket.ticket_type.display_name,
                order.reference,
                order.contact_name,
                ngettext("%(n)s visitor", "%(n)s visitors", order.quantity) % {"n": order.quantity},
            ]
            if part
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@_gate_staff_only
def gate(request):
    """The check-in page; a POST is the typed code, answered on the page itself."""
    check_in = None
    form = GateCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        check_in = gate_admit(value=form.cleaned_data["code"], user=request.user)
        form = GateCodeForm()  # ready for the next visitor
    today = timezone.localdate()
    context = {
        "form": form,
        "check_in": check_in,
        "label": CheckIn.RESULTS.get(check_in.result) if check_in else None,
        "ticket": _ticket_data(check_in, request.user) if check_in else None,
        "collect_text": _collect_text(check_in) if check_in else "",
        "group_text": _group_text(check_in) if check_in else "",
        "summary": gate_day_summary(today),
        "today": today,
        "can_sell": request.user.has_perm("tourism.sell_at_box_office"),
    }
    status = 422 if form.is_bound and not form.is_valid() else 200
    return noindex(TemplateResponse(request, "tourism/tickets/gate.html", context, status=status))


@never_cache
@require_POST
def gate_check_in(request):
    """JSON check-in for the scanner: ``{"payload": "<what the QR code says>"}``."""
    if not request.user.is_authenticated:
        # A fetch cannot follow a redirect to the sign-in page usefully; say what to do.
        return _error(_("Your session has ended; please sign in again."), status=403)
    if not request.user.has_perm(PERMISSION):
        return _error(_("You may not admit visitors."), status=403)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):
            data = None
        payload = data.get("payload") if isinstance(data, dict) else None
    else:
        payload = request.POST.get("payload")
    if not isinstance(payload, str) or not payload.strip():
        return _error(_("Nothing to check: scan a ticket or type its code."), status=400)
    # Whatever else a QR code says (a web address, binary junk) the service answers "forged".
    check_in = gate_admit(value=payload, user=request.user)
    summary = gate_day_summary(timezone.localdate())
    response = JsonResponse(
        {
            "result": check_in.result,
            "label": str(CheckIn.RESULTS.get(check_in.result, "")),
            "message": check_in.message,
            "collect": str(check_in.collect) if check_in.collect is not None else None,
            "collect_text": _collect_text(check_in),
            "group_text": _group_text(check_in),
            "ticket": _ticket_data(check_in, request.user),
            "expected": summary["expected"],
            "arrived": summary["arrived"],
        }
    )
    return noindex(response)


def _group_data(check_in: CheckIn) -> dict | None:
    """The group a leader's code stands for: who leads it, and how many are in."""
    group = check_in.group
    if group is None:
        return None
    tickets = group.order.tickets.filter(refunded_at__isnull=True)
    return {
        "code": group.code,
        "leader": group.leader_name,
        "agency": group.agency,
        "people": tickets.count(),
        "admitted": tickets.filter(checked_in_at__isnull=False).count(),
    }


def _group_text(check_in: CheckIn) -> str:
    data = _group_data(check_in)
    if data is None:
        return ""
    return _("Group: %(admitted)s of %(people)s admitted") % data


def _collect_text(check_in: CheckIn) -> str:
    if check_in.collect is None:
        return ""
    return _("Collect ¥%(amount)s") % {"amount": check_in.collect}


def _error(message: str, *, status: int) -> JsonResponse:
    return noindex(JsonResponse({"result": "error", "message": message}, status=status))
