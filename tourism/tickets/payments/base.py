import datetime

from django.conf import settings


class PaymentUnavailable(Exception):
    """The provider could not be reached or refused the request; nothing was charged."""


class PaymentProvider:
    """How an order gets paid. ``online`` providers send the tourist to pay now."""

    name = ""
    online = False

    def checkout_origins(self) -> list[str]:
        """Origins the booking form's POST may redirect to, for the page's CSP form-action."""
        return []

    def hold_duration(self) -> datetime.timedelta:
        """How long a pending order keeps its places while the tourist pays."""
        return datetime.timedelta(minutes=settings.TICKETS_HOLD_MINUTES)

    def start_payment(self, order, *, base_url: str):
        """Open a payment for ``order``; returns a ``Payment`` with a ``redirect_url``."""
        raise NotImplementedError

    def refund(self, payment, *, amount, idempotency_key: str) -> str:
        """Give ``amount`` of ``payment`` back; returns the provider's refund reference."""
        raise NotImplementedError

    def abandon(self, payment) -> None:
        """Close an open payment that will no longer be used (best effort)."""

    def sync(self, order) -> None:
        """Bring ``order`` up to date with the provider (the tourist is back from paying)."""
