"""Two staff acting on one order at once, on PostgreSQL: money goes back once, places are never oversold.

Each race is staged, not left to chance: the first change is paused at its riskiest
point (inside the payment provider's refund, or just after taking places), inside its
transaction; the second change then starts on its own connection, and the first goes
on only once the second is waiting for a row lock or has finished. With the order's
row lock the second waits and then sees the first's result; without it, both would
refund.
"""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from tests.tickets.factories import TicketTypeFactory, UserFactory, order_for, whole_day_slot
from tourism.tickets import order_changes
from tourism.tickets.models import Order, OrderLog, Refund, Slot
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.services import BookingError

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time, so two staff cannot race inside one order "
        "there; run with DATABASE_URL pointing at PostgreSQL",
    ),
]


class Stage:
    """Runs ``second`` in another thread when the first change reaches ``pause()``."""

    def __init__(self, second):
        self.second = second
        self.outcome = None
        self.pid = None
        self.pid_known = threading.Event()
        self.thread = None
        self.waited_for_lock = False

    def _run_second(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.pid_known.set()
            self.outcome = outcome(self.second)
        finally:
            self.pid_known.set()
            connections.close_all()

    def pause(self):
        """Called inside the first change: start the second, go on once it waits or is done."""
        if self.thread is not None:
            return  # the second change passing the same point
        self.thread = threading.Thread(target=self._run_second)
        self.thread.start()
        assert self.pid_known.wait(30)
        deadline = time.monotonic() + 30
        with connection.cursor() as cursor:
            while self.thread.is_alive():
                cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [self.pid])
                if cursor.fetchone()[0]:
                    self.waited_for_lock = True
                    return
                assert time.monotonic() < deadline, "the second change neither waited nor ended"

    def finish(self):
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.outcome


def outcome(change) -> str:
    try:
        # Messages read in English, whatever the Chinese catalog says.
        with translation.override("en"):
            change()
    except BookingError as error:
        return f"refused: {error.message}"
    return "done"


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def clerks(db):
    return UserFactory(username="desk-a"), UserFactory(username="desk-b")


@pytest.fixture
def paid_gate_order(adult, clerks):
    """Two adults, ¥120 paid in cash at the ticket office."""
    slot = whole_day_slot(timezone.localdate() + datetime.timedelta(days=3), capacity=10)
    order = order_for(slot, {adult: 2})
    order_changes.order_mark_paid_at_gate(order=order, user=clerks[0])
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def provider_refunds(monkeypatch):
    """Every refund the provider is asked to make; ``stage.pause()`` runs inside the first."""
    calls = []
    holder = {}

    def refund(self, payment, *, amount, idempotency_key):
        calls.append(amount)
        holder["stage"].pause()
        return ""

    monkeypatch.setattr(GateProvider, "refund", refund)
    return calls, holder


def test_two_concurrent_full_refunds_of_one_order_refund_it_once(
    paid_gate_order, clerks, provider_refunds
):
    calls, holder = provider_refunds
    first_clerk, second_clerk = clerks
    holder["stage"] = stage = Stage(
        lambda: order_changes.order_refund_all(order=paid_gate_order, user=second_clerk)
    )

    first = outcome(lambda: order_changes.order_refund_all(order=paid_gate_order, user=first_clerk))
    second = stage.finish()

    assert first == "done"
    assert second.startswith("refused: ")
    assert stage.waited_for_lock
    # The provider was asked once, for what was paid; one refund is recorded.
    assert calls == [Decimal("120.00")]
    assert list(Refund.objects.values_list("amount", "made_by")) == [
        (Decimal("120.00"), first_clerk.pk)
    ]
    order = Order.objects.get(pk=paid_gate_order.pk)
    assert order.status == Order.Status.REFUNDED
    assert Slot.objects.get(pk=order.slot_id).taken == 0
    assert OrderLog.objects.filter(order=order, action="cancelled_at_desk").count() == 1


def test_two_concurrent_part_refunds_never_give_back_more_than_was_paid(
    paid_gate_order, clerks, provider_refunds
):
    calls, holder = provider_refunds
    first_clerk, second_clerk = clerks
    refund_80 = lambda user: order_changes.order_refund_amount(  # noqa: E731
        order=paid_gate_order, user=user, amount=Decimal("80")
    )
    holder["stage"] = stage = Stage(lambda: refund_80(second_clerk))

    first = outcome(lambda: refund_80(first_clerk))
    second = stage.finish()

    assert first == "done"
    assert "At most ¥40.00" in second
    assert calls == [Decimal("80.00")]
    assert sum(Refund.objects.values_list("amount", flat=True)) == Decimal("80.00")
    assert Order.objects.get(pk=paid_gate_order.pk).status == Order.Status.PAID


def test_moving_into_a_slot_with_fewer_places_left_is_refused_and_changes_nothing(
    adult, clerks, monkeypatch
):
    day = timezone.localdate() + datetime.timedelta(days=3)
    old = whole_day_slot(day, capacity=10)
    new = whole_day_slot(day + datetime.timedelta(days=1), capacity=10)
    order_for(new, {adult: 6})  # 4 places left there
    first_order = order_for(old, {adult: 3})
    second_order = order_for(old, {adult: 3})

    logged = order_changes._log

    def log_then_pause(order, action, **kwargs):
        logged(order, action, **kwargs)
        if action == "moved":
            stage.pause()

    monkeypatch.setattr(order_changes, "_log", log_then_pause)
    stage = Stage(
        lambda: order_changes.order_move(order=second_order, user=clerks[1], slot_id=new.pk)
    )

    first = outcome(
        lambda: order_changes.order_move(order=first_order, user=clerks[0], slot_id=new.pk)
    )
    second = stage.finish()

    assert first == "done"
    assert stage.waited_for_lock
    assert second.startswith("refused: ")
    assert Slot.objects.get(pk=new.pk).taken == 9
    # The refused order is where it was, its places still held there.
    assert Order.objects.get(pk=second_order.pk).slot_id == old.pk
    assert Slot.objects.get(pk=old.pk).taken == 3
    assert not OrderLog.objects.filter(order=second_order, action="moved").exists()
