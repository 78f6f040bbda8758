"""The stock ledger never goes negative, reservations never exceed what is available."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from nursery import selectors, services
from nursery.models import Planting, Reservation, StockEntry, StockLot, SurvivalCheck

from .factories import CustomerFactory, ZoneFactory, days_ago, make_lot

pytestmark = pytest.mark.django_db


def _counts():
    return (
        StockEntry.objects.count(),
        Planting.objects.count(),
        SurvivalCheck.objects.count(),
        Reservation.objects.count(),
    )


def test_planting_more_than_on_hand_is_refused_and_nothing_is_saved():
    lot = make_lot(10, code="GH-01")
    before = _counts()

    with pytest.raises(services.StockError) as refused:
        services.planting_record(
            planted_on=timezone.localdate(), zone=ZoneFactory(), lot=lot, quantity=11
        )

    assert "GH-01" in refused.value.message
    assert "10" in refused.value.message
    assert _counts() == before
    lot.refresh_from_db()
    assert lot.on_hand == 10


def test_a_loss_that_would_overdraw_is_refused_naming_the_lot_and_its_on_hand():
    lot = make_lot(5, code="OS-7")
    before = _counts()

    with pytest.raises(services.StockError) as refused:
        services.stock_loss_record(lot=lot, quantity=6, occurred_at=days_ago(1))

    assert refused.value.message.startswith("Lot OS-7 has 5 on hand on ")
    assert _counts() == before


def test_a_sale_that_would_overdraw_is_refused():
    lot = make_lot(3, code="MG-2")
    with pytest.raises(services.StockError) as refused:
        services.stock_sale_record(lot=lot, quantity=4, occurred_at=days_ago(1))
    assert "MG-2" in refused.value.message and "3" in refused.value.message
    assert StockEntry.objects.filter(kind="sale").count() == 0


def test_a_backdated_draw_before_the_stock_arrived_is_refused():
    lot = make_lot(10, code="ZJ-1", days=5)
    with pytest.raises(services.StockError) as refused:
        services.stock_loss_record(lot=lot, quantity=1, occurred_at=days_ago(10))
    assert "ZJ-1 has 0 on hand on" in refused.value.message
    assert lot.entries.count() == 1


def test_a_backdated_draw_that_would_make_a_later_balance_negative_is_refused():
    lot = make_lot(10, code="HT-3", days=20)
    services.stock_loss_record(lot=lot, quantity=8, occurred_at=days_ago(5))
    # On day 10 the lot had 10; but taking 5 then leaves day 5's balance at -3.
    with pytest.raises(services.StockError) as refused:
        services.stock_loss_record(lot=lot, quantity=5, occurred_at=days_ago(10))
    assert "HT-3 has 2 on hand on" in refused.value.message
    assert lot.entries.count() == 2
    assert selectors.lot_on_hand(lot=lot) == 2


def test_on_hand_is_never_negative_in_the_database_whatever_the_code_does():
    lot = make_lot(2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLot.objects.filter(pk=lot.pk).update(on_hand=-1)


def test_an_entry_sign_must_match_its_kind_in_the_database():
    lot = make_lot(2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockEntry.objects.create(
            lot=lot, kind="loss", quantity=3, unit_cost=Decimal("1"), occurred_at=timezone.now()
        )


def test_a_reservation_beyond_what_is_available_is_refused():
    lot = make_lot(10, code="YL-5")
    customer = CustomerFactory()
    services.reservation_create(customer=customer, lot=lot, quantity=7)
    before = _counts()

    with pytest.raises(services.StockError) as refused:
        services.reservation_create(customer=customer, lot=lot, quantity=4)

    assert refused.value.message == (
        "Lot YL-5 has 10 on hand of which 7 reserved: only 3 available, not 4."
    )
    assert _counts() == before
    lot.refresh_from_db()
    assert (lot.on_hand, lot.reserved) == (10, 7)


def test_a_planting_cannot_take_reserved_stock():
    lot = make_lot(10, code="YL-6")
    services.reservation_create(customer=CustomerFactory(), lot=lot, quantity=8)
    with pytest.raises(services.StockError):
        services.planting_record(
            planted_on=timezone.localdate(), zone=ZoneFactory(), lot=lot, quantity=3
        )
    assert Planting.objects.count() == 0


def test_a_delivery_reduces_both_on_hand_and_reserved():
    lot = make_lot(10)
    reservation = services.reservation_create(customer=CustomerFactory(), lot=lot, quantity=6)

    services.reservation_deliver(reservation=reservation, quantity=4, delivered_at=days_ago(0))

    lot.refresh_from_db()
    assert (lot.on_hand, lot.reserved, lot.available) == (6, 2, 4)
    reservation.refresh_from_db()
    assert reservation.delivered == 4 and reservation.status == Reservation.Status.OPEN
    services.reservation_deliver(reservation=reservation, quantity=2, delivered_at=days_ago(0))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.DELIVERED
    lot.refresh_from_db()
    assert (lot.on_hand, lot.reserved) == (4, 0)


def test_delivering_more_than_outstanding_is_refused():
    lot = make_lot(10)
    reservation = services.reservation_create(customer=CustomerFactory(), lot=lot, quantity=3)
    with pytest.raises(services.NurseryError) as refused:
        services.reservation_deliver(reservation=reservation, quantity=4, delivered_at=days_ago(0))
    assert "Only 3" in refused.value.message
    lot.refresh_from_db()
    assert (lot.on_hand, lot.reserved) == (10, 3)


def test_cancelling_a_reservation_releases_it():
    lot = make_lot(10)
    reservation = services.reservation_create(customer=CustomerFactory(), lot=lot, quantity=3)
    services.reservation_cancel(reservation=reservation)
    lot.refresh_from_db()
    assert lot.reserved == 0


def test_a_count_adjustment_books_the_difference():
    lot = make_lot(10)
    entry = services.stock_count_record(lot=lot, counted=8, occurred_at=days_ago(1))
    assert entry.quantity == -2 and entry.kind == "adjustment"
    assert services.stock_count_record(lot=lot, counted=8, occurred_at=days_ago(0)) is None
    lot.refresh_from_db()
    assert lot.on_hand == 8


def test_a_planting_draws_the_lot_and_schedules_four_checks():
    lot = make_lot(20)
    today = timezone.localdate()
    planting = services.planting_record(
        planted_on=today, zone=ZoneFactory(), lot=lot, quantity=5, crew="张组"
    )
    lot.refresh_from_db()
    assert lot.on_hand == 15
    assert [c.months_after for c in planting.checks.all()] == [1, 3, 6, 12]
    assert planting.checks.get(months_after=12).due_on == services.add_months(today, 12)


def test_survival_counts_must_add_up_to_what_was_planted():
    lot = make_lot(20, days=60)
    planting = services.planting_record(
        planted_on=timezone.localdate() - datetime.timedelta(days=40),
        zone=ZoneFactory(),
        lot=lot,
        quantity=5,
    )
    check = planting.checks.get(months_after=1)
    with pytest.raises(services.NurseryError) as refused:
        services.survival_check_record(
            check=check, checked_on=timezone.localdate(), alive=3, weak=1, dead=0
        )
    assert "add up to the 5 planted, not 4" in refused.value.message
    check.refresh_from_db()
    assert check.checked_on is None


def test_landed_cost_spreads_extra_costs_to_the_cent():
    assert services.allocate(Decimal("100"), [Decimal(1)] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    shares = services.allocate(
        Decimal("1234.57"), [Decimal("10000"), Decimal("2500"), Decimal("77")]
    )
    assert sum(shares) == Decimal("1234.57")
