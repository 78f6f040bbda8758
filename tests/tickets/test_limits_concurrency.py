"""Two bookings of one phone for one date at once, on PostgreSQL: together within the limit.

The race is staged as in test_order_concurrency: the first booking pauses just after
counting the phone's tickets, inside its transaction; the second booking (another slot,
so the slot's row does not order them) starts on its own connection, and the first goes
on once the second waits for a row lock or has finished. With the per-(phone, date) lock
row the second waits and then counts the first's order; without it both count nothing
and both are booked.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from wagtail.models import Site

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tests.tickets.test_order_concurrency import Stage, outcome
from tourism.tickets import limits, services
from tourism.tickets.models import Order
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.rules import BookingRules
from tourism.tickets.services import Contact

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time, so two bookings cannot race there; run "
        "with DATABASE_URL pointing at PostgreSQL",
    ),
]


def test_two_simultaneous_bookings_of_one_phone_on_two_slots_stay_within_its_limit(
    monkeypatch,
):
    BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"max_tickets_per_phone": 6}
    )
    adult = TicketTypeFactory(price=Decimal("60.00"))
    morning = SlotFactory(starts_at=datetime.time(9), ends_at=datetime.time(10), capacity=20)
    afternoon = SlotFactory(
        date=morning.date, starts_at=datetime.time(14), ends_at=datetime.time(15), capacity=20
    )

    def book(slot, phone, quantity=4):
        return lambda: services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: quantity},
            contact=Contact("王小花", phone, ""),
            provider=GateProvider(),
        )

    # A ticket booked earlier: the phone's lock row for the date exists, so neither booking
    # waits on inserting it and only the row lock orders them.
    book(morning, "13800138000", 1)()
    counted = limits.phone_tickets_on

    def count_then_pause(**kwargs):
        held = counted(**kwargs)
        stage.pause()
        return held

    monkeypatch.setattr(limits, "phone_tickets_on", count_then_pause)
    stage = Stage(book(afternoon, "+86 138 0013 8000"))

    first = outcome(book(morning, "13800138000"))
    second = stage.finish()

    assert first == "done"
    assert stage.waited_for_lock
    assert second.startswith("refused: One phone number may book at most 6 tickets")
    held = Order.objects.filter(contact_phone="13800138000", status__in=Order.HOLDING)
    assert sum(held.values_list("quantity", flat=True)) == 1 + 4
