"""The tourist's email about an order, in the language they booked in."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Order


def order_url(order: Order) -> str:
    with translation.override(order.language):
        path = reverse("tickets:order", kwargs={"token": order.token})
    return settings.SITE_BASE_URL.rstrip("/") + path


def send_order_email(order_id: int) -> None:
    order = (
        Order.objects.select_related("slot").prefetch_related("lines__ticket_type").get(pk=order_id)
    )
    with translation.override(order.language):
        subjects = {
            Order.Status.PAID: _("Your tickets for %(date)s: %(ref)s"),
            Order.Status.RESERVED: _("Your reservation for %(date)s: %(ref)s"),
            Order.Status.CANCELLED: _("Your booking %(ref)s is cancelled"),
            Order.Status.REFUNDED: _("Your booking %(ref)s is refunded"),
        }
        if order.status not in subjects:
            return
        context = {"order": order, "url": order_url(order), "lines": order.lines.all()}
        subject = subjects[order.status] % {
            "date": order.slot.date.isoformat(),
            "ref": order.reference,
        }
        text = render_to_string("tourism/tickets/email/order.txt", context)
        html = render_to_string("tourism/tickets/email/order.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [order.contact_email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
