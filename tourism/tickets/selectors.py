"""Reads for visitor tickets: prices on a date, availability by date and slot."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Q, Sum
from django.utils import timezone

from tourism.models import TicketType, localized_text
from tourism.page_cache import page_cache_get_or_set

from .limits import released_places_by_slot
from .models import ClosedDay, Order, SeasonPrice, Slot, Ticket


def price_for(ticket_type: TicketType, date: datetime.date) -> Decimal:
    """The ticket type's price on ``date``: a season price covering it, else the standard price."""
    season = (
        SeasonPrice.objects.filter(ticket_type=ticket_type, starts_on__lte=date, ends_on__gte=date)
        .order_by("-starts_on", "-pk")
        .values_list("price", flat=True)
        .first()
    )
    return ticket_type.price if season is None else season


def prices_on(date: datetime.date) -> list[tuple[TicketType, Decimal]]:
    """Every ticket type on sale with its price on ``date``, in two queries, or none.

    The group rate is sold only as a group booking (``groups.py``), so it is not among them.
    Kept in the cache under the page cache's version, which saving or deleting a ticket type
    or a season price replaces (``tourism/signal_handlers.py``): every booking prices its
    lines from here, and the booking page and the box office show these prices.
    """
    return page_cache_get_or_set(
        key=f"prices-on:{date.isoformat()}", compute=lambda: prices_between(date, date)[date]
    )


def closed_on(date: datetime.date) -> bool:
    """Whether the park is closed on ``date``, kept in the cache under the page cache's
    version, which adding, changing or removing a closed day replaces."""
    return page_cache_get_or_set(
        key=f"closed-on:{date.isoformat()}",
        compute=lambda: ClosedDay.objects.filter(date=date).exists(),
    )


def prices_between(
    start: datetime.date, end: datetime.date
) -> dict[datetime.date, list[tuple[TicketType, Decimal]]]:
    """``prices_on`` for every day from ``start`` to ``end``, in the same two queries.

    Where seasons overlap, the one that starts last wins (then the one added last).
    """
    types = list(TicketType.objects.filter(active=True).exclude(audience=TicketType.Audience.GROUP))
    seasons = list(
        SeasonPrice.objects.filter(starts_on__lte=end, ends_on__gte=start).order_by(
            "starts_on", "pk"
        )
    )
    result = {}
    for offset in range((end - start).days + 1):
        date = start + datetime.timedelta(days=offset)
        prices = {s.ticket_type_id: s.price for s in seasons if s.starts_on <= date <= s.ends_on}
        result[date] = [(t, prices.get(t.pk, t.price)) for t in types]
    return result


@dataclass
class DayAvailability:
    date: datetime.date
    capacity: int = 0
    remaining: int = 0
    closed: bool = False
    closed_reason: str = ""
    slots: list[Slot] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.closed:
            return "closed"
        if self.capacity == 0:
            return "unavailable"
        if self.remaining == 0:
            return "sold_out"
        if self.remaining * 5 <= self.capacity:
            return "few_left"
        return "available"


def _expired_holds_by_slot(start: datetime.date, end: datetime.date, now) -> dict[int, int]:
    # Holds past their expiry are free places even before a write expires them. Slots by
    # their dates (a join), not by a list of their ids: a month holds some 300 of them.
    rows = (
        Order.objects.filter(
            slot__date__range=(start, end),
            status=Order.Status.PENDING,
            hold_expires_at__lt=now,
        )
        .values("slot_id")
        .annotate(n=Sum("quantity"))
    )
    return {row["slot_id"]: row["n"] for row in rows}


def availability(
    *, start: datetime.date, days: int, now: datetime.datetime | None = None
) -> list[DayAvailability]:
    """Places left per day (and per slot) from ``start`` for ``days`` days, in three queries."""
    now = now or timezone.now()
    end = start + datetime.timedelta(days=days - 1)
    today = timezone.localdate(now)
    local_time = timezone.localtime(now).time()
    horizon = today + datetime.timedelta(days=settings.TICKETS_BOOKING_HORIZON_DAYS)
    result = {
        start + datetime.timedelta(days=i): DayAvailability(start + datetime.timedelta(days=i))
        for i in range(days)
    }
    for closed in ClosedDay.objects.filter(date__range=(start, end)):
        day = result[closed.date]
        day.closed = True
        day.closed_reason = localized_text(closed, "reason")
    slots = list(Slot.objects.filter(date__range=(start, end)).order_by("date", "starts_at"))
    freed = _expired_holds_by_slot(start, end, now)
    for slot_id, places in released_places_by_slot(start, end, now).items():
        freed[slot_id] = freed.get(slot_id, 0) + places
    for slot in slots:
        slot.remaining = max(slot.capacity - slot.taken + freed.get(slot.pk, 0), 0)
        entry_closed = slot.date < today or (
            slot.date == today and slot.ends_at is not None and slot.ends_at <= local_time
        )
        if entry_closed or slot.date > horizon:
            slot.remaining = 0
            slot.bookable = False
        else:
            slot.bookable = slot.remaining > 0
        day = result[slot.date]
        if day.closed:
            slot.remaining, slot.bookable = 0, False
        day.slots.append(slot)
        day.capacity += slot.capacity
        day.remaining += slot.remaining
    return list(result.values())


def day_availability(date: datetime.date, *, now=None) -> DayAvailability:
    return availability(start=date, days=1, now=now)[0]


def gate_day_summary(date: datetime.date) -> dict:
    """Today's expected and arrived visitors at the gate."""
    holding = Q(order__status__in=(Order.Status.PAID, Order.Status.RESERVED)) & Q(
        order__slot__date=date
    )
    tickets = Ticket.objects.filter(holding)
    expected = tickets.count()
    arrived = tickets.filter(checked_in_at__isnull=False).count()
    return {"expected": expected, "arrived": arrived, "waiting": expected - arrived}


def visitors_by_day(dates: list[datetime.date]) -> list[dict]:
    """Per visit date: visitors booked (in all and by channel), checked in, and revenue by
    ticket type (paid orders).

    Three aggregate queries whatever the number of dates or orders.
    """
    from django.db.models import Count, DecimalField, ExpressionWrapper

    from .models import OrderLine

    rows = {
        d: {
            "date": d,
            "booked": 0,
            "checked_in": 0,
            "revenue": Decimal("0"),
            "by_type": {},
            "by_channel": {},
        }
        for d in dates
    }
    holding = Order.objects.filter(slot__date__in=dates, status__in=Order.HOLDING)
    for row in holding.values("slot__date", "channel").annotate(n=Sum("quantity")):
        day = rows[row["slot__date"]]
        day["booked"] += row["n"]
        day["by_channel"][row["channel"]] = row["n"]
    arrived = Ticket.objects.filter(order__slot__date__in=dates, checked_in_at__isnull=False)
    for row in arrived.values("order__slot__date").annotate(n=Count("pk")):
        rows[row["order__slot__date"]]["checked_in"] = row["n"]
    amount = ExpressionWrapper(
        F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=12, decimal_places=2)
    )
    paid_lines = OrderLine.objects.filter(
        order__slot__date__in=dates, order__status=Order.Status.PAID
    )
    for row in paid_lines.values("order__slot__date", "ticket_type_id").annotate(total=Sum(amount)):
        day = rows[row["order__slot__date"]]
        day["by_type"][row["ticket_type_id"]] = row["total"]
        day["revenue"] += row["total"]
    return [rows[d] for d in dates]
