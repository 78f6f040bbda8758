"""Closing a day and changing a slot that tourists have booked.

A closed day over live orders, or a slot moved to another date or time, would leave
those orders valid for a visit that cannot happen, or move them without telling anyone.
Both are refused with a message naming the orders; or, when the staff member confirms
it, the orders are cancelled (pay-at-gate and unpaid ones) or refunded (paid ones,
through their payment provider), their places released, and each tourist emailed in the
language they booked in, all in the one transaction that closes the day or moves the slot.

A refund the provider cannot make just now undoes the whole change: the day is not
closed, the slot not moved, no order cancelled, and the message names the order. The
refunds already made in that attempt carry idempotency keys (one per payment), so the
next attempt gets the same refunds back instead of paying twice.
"""

import datetime
from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import history

from .models import ClosedDay, Order, Payment, Slot
from .services import (
    BookingError,
    _end,
    _lock_timeout,
    _refund_payment,
    _send_confirmation,
)


class ClosureRefused(BookingError):
    """The change would leave booked orders behind: ``orders`` are the ones in the way."""

    status = 409

    def __init__(self, message, *, orders: list[Order] | None = None, field: str | None = None):
        super().__init__(message, field=field)
        self.orders = orders or []

    @property
    def references(self) -> list[str]:
        return [order.reference for order in self.orders]


def _live(orders) -> list[Order]:
    return list(
        orders.filter(status__in=Order.HOLDING)
        .select_related("slot")
        .order_by("slot__starts_at", "reference")
    )


def _references(orders: list[Order]) -> str:
    return ", ".join(order.reference for order in orders)


def _refuse_unconfirmed(
    orders: list[Order], confirmed: Collection[str] | None, *, what: str
) -> None:
    """Refuse unless every live order was among those the staff member agreed to cancel."""
    if not orders:
        return
    if confirmed is None:
        raise ClosureRefused(
            ngettext(
                "%(what)s has %(n)s booked order: %(refs)s. Leave it as it is, or tick the box "
                "to cancel and refund it and email the visitor.",
                "%(what)s has %(n)s booked orders: %(refs)s. Leave it as it is, or tick the box "
                "to cancel and refund them and email the visitors.",
                len(orders),
            )
            % {"what": what, "n": len(orders), "refs": _references(orders)},
            orders=orders,
        )
    unseen = [order for order in orders if order.reference not in set(confirmed)]
    if unseen:
        raise ClosureRefused(
            _("More orders were booked meanwhile: %(refs)s. Check the list and confirm again.")
            % {"refs": _references(unseen)},
            orders=orders,
        )


def _cancel_for_park(orders: list[Order], *, user, notice: dict) -> None:
    """Refund or cancel each order in the caller's transaction; emails go after it commits."""
    from .payments import PaymentUnavailable, provider_for

    admitted = [o for o in orders if o.tickets.filter(checked_in_at__isnull=False).exists()]
    if admitted:
        raise ClosureRefused(
            _("Visitors of these orders have already been admitted: %(refs)s.")
            % {"refs": _references(admitted)},
            orders=admitted,
        )
    reason = f"park_{notice['kind']}"
    for order in orders:
        paid = order.status == Order.Status.PAID
        if paid:
            for payment in order.payments.filter(status=Payment.Status.SUCCEEDED):
                try:
                    _refund_payment(order=order, payment=payment, reason=reason)
                except PaymentUnavailable:
                    raise ClosureRefused(
                        _(
                            "The refund of order %(ref)s could not be made just now, so nothing "
                            "was changed and no order was cancelled. Please try again shortly; "
                            "a refund already made is not made twice."
                        )
                        % {"ref": order.reference},
                        orders=[order],
                    ) from None
        target = Order.Status.REFUNDED if paid else Order.Status.CANCELLED
        if not _end(order, target, action=reason, user=user, refund=paid):
            raise ClosureRefused(
                _("Order %(ref)s has just changed; please try again.") % {"ref": order.reference},
                orders=[order],
            )
        if not paid:
            for payment in order.payments.filter(status=Payment.Status.OPEN):
                transaction.on_commit(
                    lambda payment=payment: provider_for(payment.provider).abandon(payment)
                )
        transaction.on_commit(lambda pk=order.pk: _send_confirmation(pk, notice=notice))


def _lock_slots(slots) -> None:
    _lock_timeout()
    list(slots.select_for_update().order_by("pk").values_list("pk", flat=True))


def closed_day_save(
    *,
    date: datetime.date,
    reason: str = "",
    reason_en: str = "",
    closed_day: ClosedDay | None = None,
    confirmed: Collection[str] | None = None,
    user=None,
) -> tuple[ClosedDay, list[Order]]:
    """Close the park on ``date`` (a new closed day, or ``closed_day`` moved or renamed).

    Live orders on that date are refused unless ``confirmed`` lists them all; then they
    are cancelled and refunded. Returns the closed day and the orders cancelled.
    """
    with transaction.atomic():
        slots = Slot.objects.filter(date=date)
        _lock_slots(slots)
        orders = _live(Order.objects.filter(slot__date=date))
        what = date.isoformat()
        _refuse_unconfirmed(orders, confirmed, what=what)
        if closed_day is None:
            closed_day = ClosedDay(date=date)
        closed_day.date, closed_day.reason, closed_day.reason_en = date, reason, reason_en
        closed_day.save()
        _cancel_for_park(
            orders,
            user=user,
            notice={"kind": "closed", "date": date, "closed_day": closed_day.pk},
        )
    return closed_day, orders


def slot_update(
    *,
    slot: Slot,
    date: datetime.date,
    starts_at: datetime.time | None,
    ends_at: datetime.time | None,
    capacity: int,
    confirmed: Collection[str] | None = None,
    user=None,
) -> tuple[Slot, list[Order]]:
    """Change a slot's date, times or capacity without leaving a booked order behind.

    Moving a slot with live orders is refused unless ``confirmed`` lists them all; then
    they are cancelled and refunded before it moves. Capacity never goes below the
    places taken: ``ClosureRefused`` says how many are.
    """
    with transaction.atomic():
        _lock_slots(Slot.objects.filter(pk=slot.pk))
        stored = Slot.objects.get(pk=slot.pk)
        moved = (stored.date, stored.starts_at, stored.ends_at) != (date, starts_at, ends_at)
        cancelled: list[Order] = []
        if moved:
            if ClosedDay.objects.filter(date=date).exists():
                raise ClosureRefused(_("The park is closed on that day."), field="date")
            orders = _live(stored.orders.all())
            what = _("This entry slot (%(slot)s)") % {"slot": stored}
            _refuse_unconfirmed(orders, confirmed, what=what)
            _cancel_for_park(
                orders,
                user=user,
                notice={
                    "kind": "moved",
                    "date": stored.date,
                    "starts_at": stored.starts_at,
                    "ends_at": stored.ends_at,
                },
            )
            cancelled = orders
        changed = Slot.objects.filter(pk=slot.pk, taken__lte=capacity).update(
            date=date, starts_at=starts_at, ends_at=ends_at, capacity=capacity
        )
        if not changed:
            taken = Slot.objects.values_list("taken", flat=True).get(pk=slot.pk)
            raise ClosureRefused(
                ngettext(
                    "%(n)s place is already taken; the capacity cannot be less.",
                    "%(n)s places are already taken; the capacity cannot be less.",
                    taken,
                )
                % {"n": taken},
                field="capacity",
            )
        slot.refresh_from_db()
        history.log_change(
            slot, before=history.snapshot(stored), after=history.snapshot(slot), user=user
        )
    return slot, cancelled


__all__ = ["ClosureRefused", "closed_day_save", "slot_update"]
