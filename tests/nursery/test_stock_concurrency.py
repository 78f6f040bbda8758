"""Racing writers on one lot queue on its row lock: two overdraws cannot both pass.

Real threads, each with its own connection, against committed data; on PostgreSQL
they race for the lot's row lock, on SQLite for its write lock.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from nursery import services
from nursery.models import Reservation, StockEntry, StockLot

from .factories import CustomerFactory, days_ago, make_lot


def _in_threads(count: int, work):
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        try:
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_losses_that_each_fit_but_not_together_cannot_both_pass():
    lot = make_lot(10)

    def lose(i):
        try:
            services.stock_loss_record(lot=lot, quantity=7, occurred_at=days_ago(0))
        except services.StockError:
            return "refused"
        return "recorded"

    results = _in_threads(2, lose)

    assert sorted(results) == ["recorded", "refused"]
    lot.refresh_from_db()
    assert lot.on_hand == 3
    assert StockEntry.objects.filter(lot=lot, kind="loss").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_reservations_never_exceed_what_is_available():
    lot = make_lot(25)
    customer = CustomerFactory()

    def reserve(i):
        try:
            services.reservation_create(customer=customer, lot=lot, quantity=1 + i % 3)
        except services.StockError:
            return 0
        return 1 + i % 3

    reserved = sum(_in_threads(20, reserve))

    lot = StockLot.objects.get(pk=lot.pk)
    assert lot.reserved == reserved <= 25
    assert sum(Reservation.objects.filter(lot=lot).values_list("quantity", flat=True)) == reserved
    assert lot.on_hand - lot.reserved < 3
