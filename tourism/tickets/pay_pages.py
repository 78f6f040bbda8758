"""What the direct providers' payment pages share: the order's address and the page that
says a provider cannot be reached (nothing charged, try again)."""

from urllib.parse import urlencode

from django.template.response import TemplateResponse
from django.urls import reverse

from .models import Order


def order_url(request, order: Order, **query) -> str:
    url = reverse("tickets:order", kwargs={"token": order.token})
    return request.build_absolute_uri(url + (f"?{urlencode(query)}" if query else ""))


def provider_unavailable(request, order: Order, *, provider: str, status: int = 503):
    """The provider could not open a payment: nothing was charged; back to the order."""
    context = {"order": order, "order_url": order_url(request, order), "provider": provider}
    return TemplateResponse(request, "tourism/tickets/pay_unavailable.html", context, status=status)
