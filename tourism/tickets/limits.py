"""Limits that stop hoarding: tickets per phone number per date, and pay-at-gate no-shows.

- A phone number (in ``core.phones`` form) holds at most ``BookingRules.max_tickets_per_phone``
  tickets for one visit date, over all its orders that still hold places. Bookings of one
  phone for one date take a lock row (``PhoneDay``) before counting, so two at once cannot
  both fit under the limit.
- A pay-at-gate reservation with no visitor checked in ``release_unpaid_after_minutes``
  after its entry time starts is released: its places go back on sale and the tourist is
  told. Availability counts such places as free at once, and a booking of the slot
  releases them first, so nobody waits for the cron command (``release_no_shows``).
- A phone with ``no_shows_before_pay_online`` released reservations in the last 90 days
  may not reserve to pay at the gate again.

Box-office sales (no contact) and staff changes at the order desk are not limited here.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .models import Order, OrderLog, PhoneDay, Slot, Ticket
from .rules import BookingRules

NO_SHOW_WINDOW = datetime.timedelta(days=90)
RELEASED = "released_no_show"


def _sentences(first: str, second: str) -> str:
    # English puts a space between sentences; Chinese does not.
    return pgettext("two sentences", "%(first)s %(second)s") % {"first": first, "second": second}


def _pay_at_gate(provider) -> bool:
    return provider.name == "gate"


# --- per phone --------------------------------------------------------------------------


def phone_tickets_on(*, phone: str, date: datetime.date, now: datetime.datetime) -> int:
    """Tickets the phone's orders hold for ``date`` (holds already run out not counted)."""
    # A phone holds a handful of orders a day: adding them up here costs less than the
    # ORM's building of an aggregate.
    return sum(
        Order.objects.filter(contact_phone=phone, slot__date=date, status__in=Order.HOLDING)
        .exclude(status=Order.Status.PENDING, hold_expires_at__lt=now)
        .order_by()
        .values_list("quantity", flat=True)
    )


def _phone_limit_refusal(*, phone: str, date: datetime.date, quantity: int, now) -> None:
    from .services import BookingError

    limit = BookingRules.current().max_tickets_per_phone
    held = phone_tickets_on(phone=phone, date=date, now=now)
    if held + quantity <= limit:
        return
    message = ngettext(
        "One phone number may book at most %(limit)s ticket for one day.",
        "One phone number may book at most %(limit)s tickets for one day.",
        limit,
    ) % {"limit": limit}
    if held:
        message = _sentences(
            message,
            ngettext(
                "This number already has %(held)s ticket for %(date)s, so %(left)s more can be booked.",
                "This number already has %(held)s tickets for %(date)s, so %(left)s more can be booked.",
                held,
            )
            % {"held": held, "date": date.isoformat(), "left": max(limit - held, 0)},
        )
    raise BookingError(message, field="phone")


def phone_limit_check(
    *, phone: str, date: datetime.date, quantity: int, now: datetime.datetime
) -> None:
    """Refuse ``quantity`` more tickets for ``date`` under ``phone`` beyond the park's limit.

    Call inside the booking's transaction: the lock row is held until it commits, so the
    next booking of the same phone and date counts this one's order.
    """
    # One statement makes the row when it is missing and locks it either way: an upsert
    # that rewrites the row takes the same row lock as SELECT … FOR UPDATE, waiting for a
    # booking that holds it.
    PhoneDay.objects.bulk_create(
        [PhoneDay(phone=phone, date=date)],
        update_conflicts=True,
        unique_fields=["phone", "date"],
        update_fields=["phone"],
    )
    _phone_limit_refusal(phone=phone, date=date, quantity=quantity, now=now)


# --- no-shows ---------------------------------------------------------------------------


def no_shows(*, phone: str, now: datetime.datetime) -> int:
    """Pay-at-gate reservations of ``phone`` released unused in the last 90 days."""
    return (
        OrderLog.objects.filter(
            action=RELEASED, order__contact_phone=phone, at__gt=now - NO_SHOW_WINDOW
        )
        .values("order_id")
        .distinct()
        .count()
    )


def pay_at_gate_check(*, phone: str, provider, now: datetime.datetime) -> None:
    """Refuse a pay-at-gate reservation to a phone with too many no-shows."""
    from .payments import get_provider
    from .services import BookingError

    needed = BookingRules.current().no_shows_before_pay_online
    if not needed or not phone or not _pay_at_gate(provider):
        return
    missed = no_shows(phone=phone, now=now)
    if missed < needed:
        return
    reason = ngettext(
        "This phone number did not come to %(n)s pay-at-gate reservation in the last 90 days.",
        "This phone number did not come to %(n)s pay-at-gate reservations in the last 90 days.",
        missed,
    ) % {"n": missed}
    if get_provider().online:
        then = _("It can book again by paying online.")
    else:
        then = _(
            "It cannot reserve to pay at the gate, and the park takes no online payment at "
            "the moment; please call the park or buy tickets at the box office."
        )
    raise BookingError(_sentences(reason, then), field="phone")


# --- release of reservations nobody came for --------------------------------------------


def _entry_starts(slot: Slot) -> datetime.datetime | None:
    """When entry begins: the slot's time, or the park's opening time for a whole-day slot."""
    start = slot.starts_at
    if start is None:
        from .opening import opening_times

        hours = opening_times().get(slot.date.weekday())
        if hours is None:
            return None
        start = hours[0]
    return timezone.make_aware(datetime.datetime.combine(slot.date, start))


def release_time(slot: Slot, *, minutes: int | None = None) -> datetime.datetime | None:
    """The moment an unused pay-at-gate reservation of ``slot`` is released; None when never."""
    if minutes is None:
        minutes = BookingRules.current().release_unpaid_after_minutes
    starts = _entry_starts(slot)
    if minutes is None or starts is None:
        return None
    return starts + datetime.timedelta(minutes=minutes)


def _due(*, now: datetime.datetime, slot_ids=None, dates=None):
    """Reserved pay-at-gate orders with no visitor in, past their release time (of the slots
    ``slot_ids``, or of the slots on the dates in the range ``dates``)."""
    minutes = BookingRules.current().release_unpaid_after_minutes
    if minutes is None:
        return []
    orders = (
        Order.objects.filter(
            status=Order.Status.RESERVED,
            provider="gate",
            slot__date__lte=timezone.localdate(now),
        )
        .exclude(tickets__checked_in_at__isnull=False)
        .select_related("slot")
        .only("pk", "slot", "quantity", "status", "contact_email")
    )
    if slot_ids is not None:
        orders = orders.filter(slot_id__in=slot_ids)
    if dates is not None:
        orders = orders.filter(slot__date__range=dates)
    due = []
    for order in orders:
        moment = release_time(order.slot, minutes=minutes)
        if moment is not None and now > moment:
            due.append(order)
    return due


def released_places_by_slot(
    start: datetime.date, end: datetime.date, now: datetime.datetime
) -> dict[int, int]:
    """Places held by reservations past their release time, per slot of the dates from
    ``start`` to ``end``: free to show at once."""
    freed: dict[int, int] = {}
    for order in _due(now=now, dates=(start, end)):
        freed[order.slot_id] = freed.get(order.slot_id, 0) + order.quantity
    return freed


def no_shows_release(*, now: datetime.datetime | None = None, slot_id: int | None = None) -> int:
    """Release every reservation past its release time (of one slot, or all); returns how many.

    Each release is its own conditional move from ``reserved``: a visitor admitted at the
    gate meanwhile keeps the order (their tickets are locked and re-read first).
    """
    from .services import _lock_timeout, _release, _send_confirmation, _transition

    now = now or timezone.now()
    released = 0
    for order in _due(now=now, slot_ids=None if slot_id is None else [slot_id]):
        with transaction.atomic():
            _lock_timeout()
            tickets = Ticket.objects.select_for_update().filter(order=order)
            if any(ticket.checked_in_at for ticket in tickets):
                continue
            if not _transition(
                order, Order.Status.CANCELLED, from_=(Order.Status.RESERVED,), ended_at=now
            ):
                continue
            _release(order)
            # Dated at the release, which the 90-day no-show count reads.
            OrderLog.objects.create(
                order=order,
                action=RELEASED,
                at=now,
                data={"minutes": BookingRules.current().release_unpaid_after_minutes},
            )
            notice = {
                "kind": "no_show",
                "date": order.slot.date,
                "starts_at": order.slot.starts_at,
                "ends_at": order.slot.ends_at,
            }
            if order.contact_email:
                pk = order.pk
                transaction.on_commit(
                    lambda pk=pk, notice=notice: _send_confirmation(pk, notice=notice)
                )
        released += 1
    return released


def phone_locks_prune(*, today: datetime.date) -> int:
    """Delete lock rows of dates gone by: they only serve bookings still to come."""
    deleted, _ = PhoneDay.objects.filter(date__lt=today).delete()
    return deleted


def booking_limits_check(*, contact, slot: Slot, quantity: int, provider, now) -> None:
    """Every limit ``order_create`` applies to a tourist's booking (not to box-office sales)."""
    if not contact.phone:
        return
    pay_at_gate_check(phone=contact.phone, provider=provider, now=now)
    phone_limit_check(phone=contact.phone, date=slot.date, quantity=quantity, now=now)


def booking_limits_preview(
    *, phone: str, date: datetime.date, quantity: int, provider, now=None
) -> None:
    """The same refusals before anything is held (the booking summary); ``order_create`` re-checks."""
    now = now or timezone.now()
    pay_at_gate_check(phone=phone, provider=provider, now=now)
    _phone_limit_refusal(phone=phone, date=date, quantity=quantity, now=now)
