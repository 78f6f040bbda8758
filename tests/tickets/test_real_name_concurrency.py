"""Twenty bookings of one ID number for one date at the same moment, on PostgreSQL: one ticket.

The bookings are for twenty different entry times of the date from twenty phones, so
neither a slot's row lock nor the per-phone lock lines them up: each passes the check that looks for the number before any of them has
written it (all twenty are held there until every one has arrived), and only the
unique index on (number hash, visit date) is left to refuse the others.
"""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory, id_number, real_name_on, visitor
from tourism.tickets import realname
from tourism.tickets.models import Order, Slot
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.services import BookingError, Contact, order_create
from tourism.tickets.visitors import Visitor

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time, so bookings cannot race there; run with "
        "DATABASE_URL pointing at PostgreSQL",
    ),
]

BOOKINGS = 20


def test_twenty_simultaneous_bookings_of_one_id_number_for_one_date_give_one_ticket(monkeypatch):
    real_name_on()
    adult = TicketTypeFactory(name="成人票", name_en="Adult")
    date = timezone.localdate() + datetime.timedelta(days=7)
    start = datetime.datetime.combine(date, datetime.time(8, 0))
    slots = [
        SlotFactory(
            date=date,
            starts_at=(start + datetime.timedelta(minutes=30 * n)).time(),
            ends_at=(start + datetime.timedelta(minutes=30 * n + 30)).time(),
        )
        for n in range(BOOKINGS)
    ]
    number = id_number("19880808")
    everyone_checked = threading.Barrier(BOOKINGS, timeout=60)
    arrived = threading.local()
    checked_first = realname._refuse_taken

    def check_then_wait(*args, **kwargs):
        checked_first(*args, **kwargs)
        if not getattr(arrived, "done", False):
            arrived.done = True
            everyone_checked.wait()

    monkeypatch.setattr(realname, "_refuse_taken", check_then_wait)
    outcomes = []

    def book(slot, n):
        try:
            order_create(
                slot_id=slot.pk,
                quantities={adult.pk: 1},
                contact=Contact("张三", f"138000000{n:02d}", "zhang@example.com"),
                provider=GateProvider(),
                visitors=[visitor(adult, "张三", number)],
            )
            outcomes.append("booked")
        except BookingError as refused:
            outcomes.append(f"refused: {refused.message}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(slot, n)) for n, slot in enumerate(slots)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert outcomes.count("booked") == 1, outcomes
    assert len(outcomes) == BOOKINGS
    assert Order.objects.count() == 1
    assert Visitor.objects.filter(released_at__isnull=True).count() == 1
    # The refused bookings took no places.
    assert sum(Slot.objects.values_list("taken", flat=True)) == 1
