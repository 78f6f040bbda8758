"""Capacity is never oversold and a ticket admits once, whatever runs at the same time.

The concurrent tests use real threads, each with its own database connection, against
committed data; on PostgreSQL they race for real row locks, on SQLite for its write lock.
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory, UserFactory
from tourism.tickets import services
from tourism.tickets.models import Order, Slot, Ticket
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.selectors import day_availability
from tourism.tickets.signing import ticket_payload

CONTACT = services.Contact("王小花", "13800000000", "visitor@example.com")


def contact(i: int) -> services.Contact:
    """The ``i``-th of many buyers, each with a phone of their own (the per-phone limit aside)."""
    return services.Contact("王小花", f"139{i:08d}", "visitor@example.com")


def _in_threads(count: int, work):
    """Run ``work(i)`` in ``count`` threads released together; return the results."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        try:
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _book_one(slot_id: int, ticket_type_id: int, i: int = 0):
    try:
        services.order_create(
            slot_id=slot_id,
            quantities={ticket_type_id: 1},
            contact=contact(i),
            provider=GateProvider(),
        )
    except services.SoldOut:
        return "sold_out"
    return "booked"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_bookings_for_ten_places_take_exactly_ten():
    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=30)
    # 20 of 30 already sold: 10 left for the 50 racing buyers.
    for i in range(4):
        services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: 5},
            contact=contact(100 + i),
            provider=GateProvider(),
        )

    results = _in_threads(50, lambda i: _book_one(slot.pk, adult.pk, i))

    assert results.count("booked") == 10
    assert results.count("sold_out") == 40
    slot.refresh_from_db()
    assert slot.taken == slot.capacity == 30
    assert Order.objects.filter(slot=slot).count() == 4 + 10
    assert Ticket.objects.filter(order__slot=slot).count() == 30
    assert day_availability(slot.date).remaining == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_group_bookings_never_exceed_capacity():
    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=25)

    def book_group(i):
        try:
            services.order_create(
                slot_id=slot.pk,
                quantities={adult.pk: 1 + i % 4},
                contact=contact(i),
                provider=GateProvider(),
            )
        except services.SoldOut:
            return 0
        return 1 + i % 4

    taken = sum(_in_threads(30, book_group))

    slot.refresh_from_db()
    assert slot.taken == taken <= 25
    assert Ticket.objects.filter(order__slot=slot).count() == taken
    # Whatever is left is smaller than the smallest group refused.
    assert slot.capacity - slot.taken < 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_scans_of_one_ticket_admit_once():
    adult = TicketTypeFactory(price=Decimal("60.00"))
    slot = SlotFactory(date=timezone.localdate(), starts_at=None, ends_at=None, capacity=5)
    order = services.order_create(
        slot_id=slot.pk, quantities={adult.pk: 1}, contact=CONTACT, provider=GateProvider()
    )
    ticket = order.tickets.get()
    gate = UserFactory(username="gatekeeper")
    payload = ticket_payload(ticket.code)

    results = _in_threads(20, lambda i: services.ticket_check_in(payload=payload, user=gate).result)

    assert results.count("valid") == 1
    assert results.count("used") == 19
    ticket.refresh_from_db()
    assert ticket.checked_in_by == gate
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_places_released_by_cancellation_can_be_booked_again_at_once():
    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=2)
    first = services.order_create(
        slot_id=slot.pk, quantities={adult.pk: 2}, contact=CONTACT, provider=GateProvider()
    )
    with pytest.raises(services.SoldOut):
        services.order_create(
            slot_id=slot.pk, quantities={adult.pk: 1}, contact=CONTACT, provider=GateProvider()
        )

    services.order_cancel(order=first)

    services.order_create(
        slot_id=slot.pk, quantities={adult.pk: 2}, contact=CONTACT, provider=GateProvider()
    )
    slot.refresh_from_db()
    assert slot.taken == 2


@pytest.mark.django_db
def test_an_expired_hold_frees_its_places_for_the_next_buyer():
    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=3)

    class Online(GateProvider):
        name = "gate"
        online = True

    now = timezone.now()
    held = services.order_create(
        slot_id=slot.pk, quantities={adult.pk: 3}, contact=CONTACT, provider=Online(), now=now
    )
    assert held.status == Order.Status.PENDING
    assert day_availability(slot.date, now=now).remaining == 0
    later = now + datetime.timedelta(minutes=31)
    assert day_availability(slot.date, now=later).remaining == 3

    services.order_create(
        slot_id=slot.pk,
        quantities={adult.pk: 3},
        contact=CONTACT,
        provider=GateProvider(),
        now=later,
    )

    held.refresh_from_db()
    assert held.status == Order.Status.EXPIRED
    assert Slot.objects.get(pk=slot.pk).taken == 3


class _Online(GateProvider):
    name = "gate"
    online = True


def _book(slot_id, ticket_type, quantity, *, who, now, provider=None) -> Order:
    return services.order_create(
        slot_id=slot_id,
        quantities={ticket_type.pk: quantity},
        contact=who,
        provider=provider or GateProvider(),
        now=now,
    )


@pytest.mark.django_db
def test_a_time_with_room_leaves_run_out_holds_to_the_queue():
    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=10)
    now = timezone.now()
    held = _book(slot.pk, adult, 3, who=CONTACT, now=now, provider=_Online())
    later = now + datetime.timedelta(minutes=31)

    _book(slot.pk, adult, 2, who=contact(2), now=later)

    held.refresh_from_db()
    assert held.status == Order.Status.PENDING and Slot.objects.get(pk=slot.pk).taken == 5
    assert services.orders_expire_due(now=later) == 1
    assert Slot.objects.get(pk=slot.pk).taken == 2


@pytest.mark.django_db
def test_places_taken_by_others_meanwhile_are_made_up_from_holds_run_out(monkeypatch):
    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=3)
    now = timezone.now()
    held = _book(slot.pk, adult, 2, who=CONTACT, now=now, provider=_Online())
    later = now + datetime.timedelta(minutes=31)
    read_slot = services._bookable_slot
    others = []

    def read_then_others_book(slot_id, *, now):
        # The slot is read with one place free; before the take, another buyer books it.
        found = read_slot(slot_id, now=now)
        if not others:
            others.append(None)
            others[0] = _book(slot_id, adult, 1, who=contact(3), now=now)
        return found

    monkeypatch.setattr(services, "_bookable_slot", read_then_others_book)
    order = _book(slot.pk, adult, 1, who=contact(2), now=later)

    held.refresh_from_db()
    assert held.status == Order.Status.EXPIRED
    assert order.status == Order.Status.RESERVED and others[0].status == Order.Status.RESERVED
    assert Slot.objects.get(pk=slot.pk).taken == 2
    assert Ticket.objects.filter(order__in=[order, others[0]]).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_booking_locks_its_slot_only_once_the_rest_is_written():
    # Every booking of a popular time waits for the slot's row: a booking holds it from
    # the capacity take to its commit, so the take comes after the order and its tickets.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database at a transaction's first write")
    from django.db import DatabaseError, transaction

    slot = SlotFactory(capacity=10)
    adult = TicketTypeFactory(price=Decimal("60.00"))
    seen = {}

    def slot_row_free() -> bool:
        try:
            with transaction.atomic():
                list(Slot.objects.select_for_update(nowait=True).filter(pk=slot.pk))
        except DatabaseError:
            return False
        finally:
            connections.close_all()
        return True

    def probe(order):
        # On a connection of its own, while the booking's transaction is still open.
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen["slot_free"] = pool.submit(slot_row_free).result(timeout=30)
        seen["tickets"] = order.tickets.count()

    order = services.order_create(
        slot_id=slot.pk,
        quantities={adult.pk: 3},
        contact=CONTACT,
        provider=GateProvider(),
        on_created=probe,
    )

    assert seen == {"slot_free": True, "tickets": 3}
    assert Slot.objects.get(pk=slot.pk).taken == 3
    assert Order.objects.get(pk=order.pk).quantity == 3


@pytest.mark.django_db
def test_a_booking_for_a_full_slot_is_refused_before_anything_is_written():
    from django.test.utils import CaptureQueriesContext

    slot = SlotFactory(capacity=2)
    adult = TicketTypeFactory(price=Decimal("60.00"))
    services.order_create(
        slot_id=slot.pk, quantities={adult.pk: 2}, contact=contact(1), provider=GateProvider()
    )

    with CaptureQueriesContext(connection) as queries, pytest.raises(services.SoldOut):
        services.order_create(
            slot_id=slot.pk, quantities={adult.pk: 1}, contact=contact(2), provider=GateProvider()
        )

    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_booking_that_finds_the_slot_full_at_the_take_leaves_nothing():
    slot = SlotFactory(capacity=2)
    adult = TicketTypeFactory(price=Decimal("60.00"))

    def others_take_the_places(order):
        # Between the booking's first read of the slot and its take, the slot fills up.
        Slot.objects.filter(pk=slot.pk).update(taken=2)

    with pytest.raises(services.SoldOut):
        services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: 2},
            contact=CONTACT,
            provider=GateProvider(),
            on_created=others_take_the_places,
        )

    assert (Order.objects.count(), Ticket.objects.count()) == (0, 0)
    assert Slot.objects.get(pk=slot.pk).taken == 0


@pytest.mark.django_db
def test_the_database_refuses_taking_more_than_capacity_whatever_the_code_does():
    from django.db import IntegrityError, transaction

    slot = SlotFactory(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(taken=3)
    assert Slot.objects.get(pk=slot.pk).taken == 0


def test_postgresql_waits_for_locks_only_so_long(settings, db):
    if connection.vendor != "postgresql":
        pytest.skip("lock_timeout is a PostgreSQL setting")
    from django.db import transaction

    with transaction.atomic():
        services._lock_timeout()
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            # PostgreSQL reports the value in its own unit: 5000ms reads back as "5s".
            value = cursor.fetchone()[0]
    seconds = settings.TICKETS_LOCK_TIMEOUT_MS / 1000
    assert value in (f"{settings.TICKETS_LOCK_TIMEOUT_MS}ms", f"{seconds:g}s")


@pytest.mark.django_db
def test_roles_survive_the_concurrency_tests():
    # The threaded tests above commit for real; their clean-up must leave the groups
    # the migrations made for every test that runs after them.
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Editors",
        "Farm managers",
        "Gate staff",
        "Officials",
    }


@pytest.mark.django_db
def test_expire_holds_command_ends_overdue_pending_orders():
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command

    adult = TicketTypeFactory()
    slot = SlotFactory(capacity=4)

    class Online(GateProvider):
        online = True

    held = services.order_create(
        slot_id=slot.pk, quantities={adult.pk: 4}, contact=CONTACT, provider=Online()
    )
    out = StringIO()
    later = timezone.now() + datetime.timedelta(hours=1)
    with mock.patch("tourism.tickets.services.timezone.now", return_value=later):
        call_command("expire_holds", stdout=out)

    held.refresh_from_db()
    assert held.status == Order.Status.EXPIRED
    assert Slot.objects.get(pk=slot.pk).taken == 0
    assert "1 order(s) expired." in out.getvalue()
