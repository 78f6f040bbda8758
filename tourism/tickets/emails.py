"""The tourist's email about an order, in the language they booked in."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tourism.models import localized_text

from .models import ClosedDay, Order


def order_url(order: Order) -> str:
    with translation.override(order.language):
        path = reverse("tickets:order", kwargs={"token": order.token})
    return settings.SITE_BASE_URL.rstrip("/") + path


def closure_notice(notice: dict | None) -> str:
    """Why the park cancelled the order, in the active language; empty for the tourist's own changes."""
    if not notice:
        return ""
    date = notice["date"].isoformat()
    if notice["kind"] == "closed":
        closed_day = ClosedDay.objects.filter(pk=notice.get("closed_day")).first()
        reason = localized_text(closed_day, "reason") if closed_day else ""
        text = _("The park is closed on %(date)s, so your booking is cancelled.") % {"date": date}
        return f"{text} {reason}".strip()
    if notice["kind"] == "no_show":
        return _(
            "Nobody came for your pay-at-gate reservation for %(date)s %(time)s by the time it "
            "was held until, so it is cancelled and its places have gone back on sale."
        ) % {"date": date, "time": _time_label(notice)}
    return _(
        "The park has changed the entry time you booked (%(date)s %(time)s), so your booking "
        "is cancelled."
    ) % {"date": date, "time": _time_label(notice)}


def _time_label(notice: dict) -> str:
    if notice.get("starts_at") is None:
        return _("all day")
    return f"{notice['starts_at']:%H:%M}–{notice['ends_at']:%H:%M}"


def send_order_email(order_id: int, *, notice: dict | None = None) -> None:
    """The order's email for its status; ``notice`` says why the park cancelled it, if it did."""
    order = (
        Order.objects.select_related("slot")
        .prefetch_related("lines__ticket_type", "visitors__ticket_type")
        .get(pk=order_id)
    )
    if not order.contact_email:
        return  # sold at the box office: the visitor took the tickets at the counter
    with translation.override(order.language):
        subjects = {
            Order.Status.PAID: _("Your tickets for %(date)s: %(ref)s"),
            Order.Status.RESERVED: _("Your reservation for %(date)s: %(ref)s"),
            Order.Status.CANCELLED: _("Your booking %(ref)s is cancelled"),
            Order.Status.REFUNDED: _("Your booking %(ref)s is refunded"),
        }
        if order.status not in subjects:
            return
        context = {
            "order": order,
            "url": order_url(order),
            "lines": order.lines.all(),
            # Real-name tickets: who each is for, numbers masked (an email is no safe place).
            "visitors": [v for v in order.visitors.all() if v.released_at is None],
            "notice": closure_notice(notice),
            # A moved slot's order is shown for the visit it was booked for.
            "visit_date": notice["date"] if notice else order.slot.date,
            "visit_time": _time_label(notice) if notice else order.slot.time_label,
        }
        subject = subjects[order.status] % {
            "date": context["visit_date"].isoformat(),
            "ref": order.reference,
        }
        text = render_to_string("tourism/tickets/email/order.txt", context)
        html = render_to_string("tourism/tickets/email/order.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [order.contact_email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
