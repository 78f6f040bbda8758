"""Demo ticket sales: sixty days of open slots, a few sold-out days, past visits with check-ins.

Dates are relative to the day the demo is loaded; a second run on the same day finds
everything in place and adds nothing.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from tourism.models import Order, OrderLine, OrderLog, Payment, Slot, Ticket, TicketType
from tourism.tickets.opening import slots_open_in_opening_hours

OPEN_DAYS = 60
PAST_DAYS = 14
# Slots follow the park's opening hours (site settings): first entry at opening time.
EVERY_MINUTES = 60
CAPACITY = 150
SOLD_OUT_CAPACITY = 30
DEMO_EMAIL_DOMAIN = "demo.huagu.example"


def sold_out_dates(today: datetime.date) -> list[datetime.date]:
    """The next two Saturdays at least four days out, and the first of the next month."""
    first_saturday = today + datetime.timedelta(
        days=4 + (5 - (today + datetime.timedelta(days=4)).weekday()) % 7
    )
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return sorted({first_saturday, first_saturday + datetime.timedelta(days=7), next_month})


def ensure_ticket_sales(tally) -> None:
    today = timezone.localdate()
    opened = slots_open_in_opening_hours(
        date_from=today - datetime.timedelta(days=PAST_DAYS),
        date_to=today + datetime.timedelta(days=OPEN_DAYS - 1),
        every_minutes=EVERY_MINUTES,
        capacity=CAPACITY,
    )
    tally.rows["entry slots"][0] += opened["created"]
    tally.rows["entry slots"][1] += opened["existing"]
    if Order.objects.filter(contact_email__endswith="@" + DEMO_EMAIL_DOMAIN).exists():
        tally.add("demo orders", created=False)
        return
    rng = random.Random("huagu-demo-tickets")
    types = {t.audience: t for t in TicketType.objects.filter(active=True)}
    gate_user = get_user_model().objects.filter(username="gate").first()
    made = 0
    for day in sold_out_dates(today):
        for slot in Slot.objects.filter(date=day, taken=0):
            Slot.objects.filter(pk=slot.pk).update(capacity=SOLD_OUT_CAPACITY)
            slot.capacity = SOLD_OUT_CAPACITY
            for _ in range(SOLD_OUT_CAPACITY // 10):
                demo_order(slot, {types["adult"]: 8, types["child"]: 2}, rng, made)
                made += 1
    for back in range(PAST_DAYS, 0, -1):
        day = today - datetime.timedelta(days=back)
        for slot in Slot.objects.filter(date=day, taken=0):
            for _ in range(rng.randint(1, 4)):
                mix = {types["adult"]: rng.randint(1, 4)}
                if rng.random() < 0.5:
                    mix[types["child"]] = rng.randint(1, 2)
                if rng.random() < 0.2:
                    mix[types["senior"]] = rng.randint(1, 2)
                order = demo_order(slot, mix, rng, made)
                made += 1
                # Most visitors came; a few did not show up.
                arrived = timezone.make_aware(
                    datetime.datetime.combine(day, slot.starts_at)
                ) + datetime.timedelta(minutes=rng.randint(0, 50))
                if rng.random() < 0.92:
                    order.tickets.update(checked_in_at=arrived, checked_in_by=gate_user)
    tally.rows["demo orders"][0] += made


def demo_order(slot: Slot, mix: dict[TicketType, int], rng: random.Random, number: int) -> Order:
    """A paid order for ``slot``, taking its places as a real booking does."""
    quantity = sum(mix.values())
    total = sum((t.price * q for t, q in mix.items()), Decimal("0"))
    Slot.objects.filter(pk=slot.pk, taken__lte=F("capacity") - quantity).update(
        taken=F("taken") + quantity
    )
    created = timezone.make_aware(
        datetime.datetime.combine(slot.date, datetime.time(8))
    ) - datetime.timedelta(days=rng.randint(1, 10))
    order = Order.objects.create(
        slot=slot,
        status=Order.Status.PAID,
        provider="gate",
        contact_name=f"演示游客 {number + 1:03d}",
        contact_phone=f"138{number:08d}",
        contact_email=f"visitor{number + 1:03d}@{DEMO_EMAIL_DOMAIN}",
        quantity=quantity,
        total=total,
        created_at=created,
        paid_at=created,
        channel="web" if number % 3 else "api",
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, ticket_type=t, quantity=q, unit_price=t.price)
            for t, q in mix.items()
        ]
    )
    Ticket.objects.bulk_create(
        [Ticket(order=order, ticket_type=t) for t, q in mix.items() for _ in range(q)]
    )
    Payment.objects.create(
        order=order,
        provider="gate",
        amount=total,
        status=Payment.Status.SUCCEEDED,
        completed_at=created,
    )
    OrderLog.objects.create(order=order, action="created", at=created, data={"demo": True})
    return order
