"""The tourist's side of tickets: book, pay, see the order and its QR tickets, cancel."""

import calendar
import datetime
import functools

import segno
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tourism.security.csp import allow_form_action

from . import limits, services
from .booking_days import booking_days, calendar_rows
from .forms import BookingForm, last_bookable_day, visit_date_from, visit_month_from
from .models import Order, OrderLine, Ticket
from .payments import provider_for
from .payments.choice import pay_options
from .realname import VisitorError
from .rules import BookingRules, rules_held
from .selectors import DayAvailability, availability, day_availability, prices_on
from .services import BookingError, Contact
from .signing import ticket_payload
from .visitor_forms import show_refusal, visitor_forms, visitor_groups


def _month_days(month_start: datetime.date) -> dict[datetime.date, DayAvailability]:
    """Each day of the month with its availability, slots included."""
    days_in_month = calendar.monthrange(month_start.year, month_start.month)[1]
    return {d.date: d for d in availability(start=month_start, days=days_in_month)}


def _month_grid(month_start: datetime.date, days) -> list[list[object]]:
    """Weeks (Monday first) of the month with each day's availability."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(
        month_start.year, month_start.month
    )
    return [[days.get(day) for day in week] for week in weeks]


def _checkout_allowed(view):
    """The booking page's forms may lead to the payment providers' pages (CSP form-action)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        origins = [o for option in pay_options() for o in option.provider.checkout_origins()]
        return allow_form_action(view(request, *args, **kwargs), origins)

    return wrapper


def _limits_refusal(contact: Contact, date: datetime.date, quantity: int, provider) -> str | None:
    """Why the park's limits refuse this booking, said before the summary; None if they allow it."""
    try:
        limits.booking_limits_preview(
            phone=contact.phone, date=date, quantity=quantity, provider=provider
        )
    except BookingError as error:
        return error.message
    return None


def _rules_read_once(view):
    """The booking page asks the booking rules in a dozen places (limits, real names, ways to
    pay): one read serves the whole request."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with rules_held():
            return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@_checkout_allowed
@_rules_read_once
def booking(request):
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    selected = visit_date_from(data.get("date"), today=today)
    month_start = visit_month_from(request.GET.get("month"), today=today) or (
        selected or today
    ).replace(day=1)
    prev_month = (month_start - datetime.timedelta(days=1)).replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)

    context = {
        "month_start": month_start,
        "prev_month": prev_month if prev_month >= today.replace(day=1) else None,
        "next_month": next_month if next_month <= last_bookable_day(today) else None,
        "today": today,
        "selected": selected,
        "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "cutoff_hours": settings.TICKETS_CANCEL_CUTOFF_HOURS,
    }
    # The month (calendar and the days in the page) is read only when the booking page is
    # shown: the summary and the confirmation need the chosen day alone.
    month_days = _month_days(month_start) if request.method == "GET" else {}

    def booking_page(status: int) -> TemplateResponse:
        days_of_month = month_days or _month_days(month_start)
        days = booking_days(list(days_of_month.values()), selected=context.get("day"))
        if "form" not in context:
            # No day chosen yet: the form waits, hidden, for a tap on one (booking_days.py).
            context["form"] = BookingForm(ticket_types=days[0].prices if days else (), slots=())
        form = context["form"]
        checked = str(form["slot"].value())
        for booking_day in days:
            shown = booking_day.date == selected
            booking_day.options = booking_day.slot_options(
                checked=checked if shown else None, enabled=shown
            )
        context.update(
            {
                "calendar_rows": calendar_rows(
                    _month_grid(month_start, days_of_month), today=today, selected=selected
                ),
                "days": days,
            }
        )
        return TemplateResponse(request, "tourism/tickets/booking.html", context, status=status)

    if selected is None:
        status = 200
        if data.get("date"):
            context["date_error"] = _(
                "That day cannot be booked. Please choose a day in the calendar, from today "
                "up to %(days)s days ahead."
            ) % {"days": settings.TICKETS_BOOKING_HORIZON_DAYS}
            status = 422 if request.method == "POST" else 200
        return booking_page(status)

    options = pay_options(request)
    chosen = next((o for o in options if o.name == data.get("pay_with")), options[0])
    context.update(
        {"pay_options": options, "pay_with": chosen.name, "online_payment": chosen.online}
    )
    day = month_days.get(selected) or day_availability(selected)
    prices = prices_on(selected)
    slots = [s for s in day.slots if s.bookable]
    form = BookingForm(data if request.method == "POST" else None, ticket_types=prices, slots=slots)
    context.update({"day": day, "form": form, "prices": prices})
    if request.method == "POST" and form.is_valid():
        quantities = form.quantities()
        contact = Contact(
            form.cleaned_data["name"], form.cleaned_data["phone"], form.cleaned_data["email"]
        )
        lines = [
            (t, quantities[t.pk], price, price * quantities[t.pk])
            for t, price in prices
            if quantities[t.pk]
        ]
        # Real-name tickets: a row per ticket on the summary, posted back with the confirmation.
        rows = (
            visitor_forms(
                request.POST if "confirm" in request.POST else None,
                [(t, quantity) for t, quantity, _price, _amount in lines],
            )
            if lines and BookingRules.current().real_name
            else []
        )
        if lines:
            slot = next(s for s in slots if s.pk == form.cleaned_data["slot"])
            context.update(
                {
                    "summary": lines,
                    "summary_slot": slot,
                    "total": sum(line[3] for line in lines),
                    "visitors": sum(line[1] for line in lines),
                    "visitor_groups": visitor_groups(rows),
                }
            )
        if "confirm" not in request.POST:
            # Show the summary with the total before anything is held or charged.
            if not lines:
                form.add_error(None, _("Choose at least one ticket."))
            elif refusal := _limits_refusal(
                contact, selected, sum(quantities.values()), chosen.provider
            ):
                form.add_error("phone", refusal)
            else:
                return TemplateResponse(request, "tourism/tickets/summary.html", context)
        elif rows and not all(row.is_valid() for row in rows):
            return TemplateResponse(request, "tourism/tickets/summary.html", context, status=422)
        else:
            try:
                order = services.order_create(
                    slot_id=form.cleaned_data["slot"],
                    quantities=quantities,
                    contact=contact,
                    language=get_language(),
                    visitors=[row.visitor_in() for row in rows] if rows else None,
                    provider=chosen.provider,
                )
                payment = services.order_start_payment(
                    order=order, base_url=request.build_absolute_uri("/")
                )
            except VisitorError as error:
                if rows and show_refusal(rows, error):
                    return TemplateResponse(
                        request, "tourism/tickets/summary.html", context, status=422
                    )
                form.add_error(None, error.message)
            except BookingError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                if payment is not None and payment.redirect_url:
                    return redirect(payment.redirect_url)
                return redirect("tickets:order", token=order.token)
    return booking_page(422 if request.method == "POST" else 200)


def _order_for(token: str) -> Order:
    if not token or len(token) > 64:
        raise Http404
    return get_object_or_404(
        Order.objects.select_related("slot", "group").prefetch_related(
            Prefetch("lines", OrderLine.objects.select_related("ticket_type")),
            Prefetch("tickets", Ticket.objects.select_related("ticket_type", "visitor")),
        ),
        token=token,
    )


def qr_svg(payload: str, *, title: str) -> str:
    qr = segno.make(payload, error="m")
    return qr.svg_inline(
        scale=5, border=2, title=title, svgclass="qr", lineclass=None, omitsize=True
    )


def order_detail(request, token):
    order = _order_for(token)
    if request.GET.get("paid") and order.status == Order.Status.PENDING:
        # Back from the payment page: ask the provider rather than wait for its webhook.
        provider_for(order.provider).sync(order)
        order.refresh_from_db()
    tickets = []
    group = getattr(order, "group", None)
    group_qr = None
    if group is not None and order.status in (Order.Status.PAID, Order.Status.RESERVED):
        # One code for the whole group; its members may also show their ID at the gate.
        group_qr = mark_safe(
            qr_svg(
                ticket_payload(group.code), title=_("Group code %(code)s") % {"code": group.code}
            )
        )
    elif order.status in (Order.Status.PAID, Order.Status.RESERVED):
        for ticket in order.tickets.all():
            if ticket.refunded_at is not None:
                continue
            tickets.append(
                {
                    "ticket": ticket,
                    "visitor": getattr(ticket, "visitor", None),
                    "svg": mark_safe(
                        qr_svg(
                            ticket_payload(ticket.code),
                            title=_("Ticket %(code)s") % {"code": ticket.code},
                        )
                    ),
                }
            )
    # The way back to an open payment matters while the order waits for it; the reason for
    # a refund, once the order is refunded.
    open_payment = (
        order.payments.filter(status="open").exclude(redirect_url="").first()
        if order.status == Order.Status.PENDING
        else None
    )
    refund_reason = (
        order.log.filter(action="refunded_late_payment").values_list("data", flat=True).first()
        if order.status == Order.Status.REFUNDED
        else None
    )
    context = {
        "order": order,
        "tickets": tickets,
        "open_payment": open_payment,
        "can_cancel": order.holds_places
        and timezone.now() <= services.cancellation_deadline(order),
        "deadline": services.cancellation_deadline(order),
        "refund_reason": refund_reason,
        "group": group,
        "group_qr": group_qr,
    }
    return TemplateResponse(request, "tourism/tickets/order.html", context)


@require_POST
def order_cancel(request, token):
    order = _order_for(token)
    try:
        services.order_cancel(order=order)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your booking is cancelled. Any payment is refunded to where it came from.")
        )
    return redirect("tickets:order", token=order.token)


def order_ics(request, token):
    order = _order_for(token)
    if not order.holds_places:
        raise Http404
    slot = order.slot
    if slot.starts_at:
        start = timezone.make_aware(datetime.datetime.combine(slot.date, slot.starts_at))
        end = timezone.make_aware(datetime.datetime.combine(slot.date, slot.ends_at))
        when = [
            f"DTSTART:{start.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
        ]
    else:
        when = [
            f"DTSTART;VALUE=DATE:{slot.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{slot.date + datetime.timedelta(days=1):%Y%m%d}",
        ]
    # The order page's address, built rather than cut from this one: a query string on the
    # request must not end up in the calendar entry.
    url = request.build_absolute_uri(reverse("tickets:order", kwargs={"token": order.token}))

    def escape(text: str) -> str:
        return (
            text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    summary = escape(_("Visit to the flower valley (%(n)s visitors)") % {"n": order.quantity})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Huagu//Tickets//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{order.reference}@huagu",
        f"DTSTAMP:{order.created_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
        *when,
        f"SUMMARY:{summary}",
        f"DESCRIPTION:{escape(_('Order %(ref)s. Your tickets: %(url)s') % {'ref': order.reference, 'url': url})}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="huagu-{order.reference}.ics"'
    return response
