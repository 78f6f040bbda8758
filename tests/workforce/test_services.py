"""Writes: amounts computed from the dated rate table, refusals that save nothing, wage batches."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.identity import mask_id_number
from tests.workforce.factories import VillagerFactory, task_with_rates
from workforce import services
from workforce.models import Basis, Rate, WageBatch, WorkEntry
from workforce.services import WorkforceError

DAY = datetime.date(2026, 4, 8)


@pytest.fixture
def villager(db):
    return VillagerFactory()


def test_amount_is_quantity_times_the_rate_in_effect_on_the_date(villager):
    task = task_with_rates(piece="0.50", since=datetime.date(2026, 1, 1))
    Rate.objects.create(task=task, basis="piece", amount=Decimal("0.55"), effective_from=DAY)
    before = services.work_entry_record(
        villager=villager,
        date=DAY - datetime.timedelta(days=1),
        task=task,
        basis="piece",
        quantity=Decimal("333"),
    )
    on = services.work_entry_record(
        villager=villager, date=DAY, task=task, basis="piece", quantity=Decimal("333")
    )
    assert (before.rate, before.amount) == (Decimal("0.50"), Decimal("166.50"))
    assert (on.rate, on.amount) == (Decimal("0.55"), Decimal("183.15"))


def test_a_days_pay_under_the_minimum_is_refused(villager, settings):
    settings.WORKFORCE_MINIMUM_DAY_PAY = "100.00"
    task = task_with_rates(day="90.00", hour="12.00")
    with pytest.raises(
        WorkforceError, match=r"pays ¥90\.00, under the minimum day's pay of ¥100\.00"
    ):
        services.work_entry_record(
            villager=villager, date=DAY, task=task, basis=Basis.DAY, quantity=Decimal("1")
        )
    with pytest.raises(WorkforceError, match=r"pays ¥96\.00"):
        services.work_entry_record(
            villager=villager, date=DAY, task=task, basis=Basis.HOUR, quantity=Decimal("8")
        )
    assert not WorkEntry.objects.exists()


def test_work_without_a_rate_in_effect_is_refused(villager):
    task = task_with_rates(since=datetime.date(2026, 5, 1))
    with pytest.raises(WorkforceError, match="No rate"):
        services.work_entry_record(
            villager=villager, date=DAY, task=task, basis=Basis.DAY, quantity=Decimal("1")
        )


@pytest.mark.parametrize(
    ("basis", "quantity"), [("day", "0"), ("day", "2"), ("hour", "17"), ("piece", "-3")]
)
def test_impossible_quantities_are_refused(villager, basis, quantity):
    task = task_with_rates()
    with pytest.raises(WorkforceError):
        services.work_entry_record(
            villager=villager, date=DAY, task=task, basis=basis, quantity=Decimal(quantity)
        )
    assert not WorkEntry.objects.exists()


def test_the_database_refuses_a_negative_quantity_written_around_the_service(villager):
    task = task_with_rates()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkEntry.objects.create(
            date=DAY, villager=villager, task=task, basis="day", quantity=-1, rate=100, amount=-100
        )


def test_a_crews_day_creates_one_entry_per_villager_present(db):
    task = task_with_rates(piece="0.40")
    crew = [VillagerFactory() for _ in range(3)]
    entries = services.crew_day_record(
        date=DAY,
        task=task,
        basis="piece",
        quantities={crew[0].pk: Decimal("200"), crew[2].pk: Decimal("250")},
    )
    assert sorted((e.villager_id, e.amount) for e in entries) == [
        (crew[0].pk, Decimal("80.00")),
        (crew[2].pk, Decimal("100.00")),
    ]


def test_a_crews_day_with_one_bad_quantity_saves_nothing(db):
    task = task_with_rates()
    a, b = VillagerFactory(), VillagerFactory()
    with pytest.raises(WorkforceError):
        services.crew_day_record(
            date=DAY, task=task, basis="day", quantities={a.pk: Decimal("1"), b.pk: Decimal("3")}
        )
    assert not WorkEntry.objects.exists()


def test_a_crews_day_sent_twice_is_refused_and_pays_no_one_twice(db):
    task = task_with_rates()
    a, b = VillagerFactory(), VillagerFactory()
    present = {a.pk: Decimal("1"), b.pk: Decimal("1")}
    services.crew_day_record(date=DAY, task=task, basis="day", quantities=present)

    with pytest.raises(WorkforceError, match="already has 1 day's work paid by the day") as refused:
        services.crew_day_record(date=DAY, task=task, basis="day", quantities=present)

    assert refused.value.field == f"q_{a.pk}"
    assert WorkEntry.objects.count() == 2
    # Other work that day, by the hour or the piece, is not days: it is still recorded.
    services.crew_day_record(date=DAY, task=task, basis="hour", quantities={a.pk: Decimal("2")})
    assert WorkEntry.objects.count() == 3


def test_two_half_days_make_a_day_and_a_third_half_is_refused(villager):
    task = task_with_rates(day="240.00")
    for _ in range(2):
        services.work_entry_record(
            villager=villager, date=DAY, task=task, basis=Basis.DAY, quantity=Decimal("0.5")
        )
    with pytest.raises(WorkforceError, match="already has 1 day's work"):
        services.work_entry_record(
            villager=villager, date=DAY, task=task, basis=Basis.DAY, quantity=Decimal("0.5")
        )
    # The next day is a day of its own.
    services.work_entry_record(
        villager=villager,
        date=DAY + datetime.timedelta(days=1),
        task=task,
        basis=Basis.DAY,
        quantity=Decimal("1"),
    )
    assert WorkEntry.objects.count() == 3


def test_a_wage_batch_claims_unpaid_work_once(villager):
    task = task_with_rates()
    for day in (1, 2, 30):
        services.work_entry_record(
            villager=villager, date=datetime.date(2026, 4, day), task=task, basis="day", quantity=1
        )
    batch = services.wage_batch_create(
        period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 4, 30)
    )
    assert batch.entries.count() == 3
    with pytest.raises(WorkforceError, match="no unpaid work"):
        services.wage_batch_create(
            period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 4, 30)
        )
    assert WageBatch.objects.count() == 1


def test_id_numbers_are_masked_but_for_the_first_and_last_four():
    assert mask_id_number("510123199001011234") == "510***********1234"
    assert mask_id_number("") == ""
    assert mask_id_number("1234") == "****"
