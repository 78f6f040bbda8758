"""Wage batches move draft → approved → paid; the work they pay is locked, and corrected by new entries.

Also the minimum day's pay, checked on what a villager earns for the whole day.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse

from tests.tickets.factories import user_in_role
from tests.workforce.conftest import Q2
from tests.workforce.factories import VillagerFactory, task_with_rates, work
from workforce import services
from workforce.models import WageBatch, WageBatchLog, WorkEntry, WorkMonth
from workforce.reports import job_report
from workforce.services import WorkforceError

d = datetime.date
APRIL = (d(2026, 4, 1), d(2026, 4, 30))
MAY = (d(2026, 5, 1), d(2026, 5, 31))


def raw_entries():
    """Work entries through a plain queryset: what a script or a shell would write."""
    return models.QuerySet(WorkEntry)


def paid_batch(period, *, user=None) -> WageBatch:
    batch = services.wage_batch_create(period_start=period[0], period_end=period[1], user=user)
    services.wage_batch_approve(batch=batch, user=user)
    return services.wage_batch_pay(
        batch=batch, paid_on=period[1] + datetime.timedelta(days=5), reference="ICBC-1", user=user
    )


@pytest.fixture
def manager_user(db):
    return user_in_role("Farm managers")


@pytest.fixture
def as_manager(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def april(db):
    """Two villagers' April work: 王 two days, 李 one day and piece work the same day."""
    task = task_with_rates(day="100.00", hour="15.00", piece="0.50")
    wang, li = VillagerFactory(name="王"), VillagerFactory(name="李")
    entries = [
        work(wang, d(2026, 4, 1), task),
        work(wang, d(2026, 4, 2), task),
        work(li, d(2026, 4, 2), task),
        work(li, d(2026, 4, 2), task, basis="piece", quantity="100"),
    ]
    return wang, li, task, entries


# --- batch steps -------------------------------------------------------------------------


def test_a_batch_is_made_from_the_periods_unbatched_work_and_steps_forward_logged(
    april, manager_user
):
    wang, _li, task, entries = april
    work(wang, d(2026, 5, 4), task)

    batch = services.wage_batch_create(
        period_start=APRIL[0], period_end=APRIL[1], user=manager_user
    )
    assert batch.status == WageBatch.Status.DRAFT
    assert set(batch.entries.all()) == set(entries)
    services.wage_batch_approve(batch=batch, user=manager_user)
    assert batch.status == WageBatch.Status.APPROVED
    services.wage_batch_pay(
        batch=batch, paid_on=d(2026, 5, 10), reference="ICBC-0510", user=manager_user
    )
    batch.refresh_from_db()
    assert (batch.status, batch.paid_on, batch.reference) == ("paid", d(2026, 5, 10), "ICBC-0510")
    assert list(batch.log.values_list("action", "user")) == [
        ("created", manager_user.pk),
        ("approved", manager_user.pk),
        ("paid", manager_user.pk),
    ]


def test_batch_steps_only_go_forward_and_paid_is_final(april):
    batch = services.wage_batch_create(period_start=APRIL[0], period_end=APRIL[1])
    with pytest.raises(WorkforceError, match="is draft"):
        services.wage_batch_pay(batch=batch, paid_on=d(2026, 5, 10))
    with pytest.raises(WorkforceError, match="is draft"):
        services.wage_batch_reopen(batch=batch)
    services.wage_batch_approve(batch=batch)
    with pytest.raises(WorkforceError, match="is approved"):
        services.wage_batch_approve(batch=batch)
    services.wage_batch_pay(batch=batch, paid_on=d(2026, 5, 10))
    for step in (services.wage_batch_approve, services.wage_batch_reopen):
        with pytest.raises(WorkforceError, match="is paid"):
            step(batch=batch)
    batch.refresh_from_db()
    assert batch.status == WageBatch.Status.PAID
    assert WageBatchLog.objects.filter(batch=batch).count() == 3


def test_an_approved_batch_goes_back_to_draft_and_its_work_can_change_again(april):
    _wang, _li, _task, entries = april
    batch = services.wage_batch_create(period_start=APRIL[0], period_end=APRIL[1])
    services.wage_batch_approve(batch=batch)
    with pytest.raises(ValidationError):
        entries[0].delete()
    services.wage_batch_reopen(batch=batch, note="wrong day")
    entries[0].delete()
    assert batch.entries.count() == 3
    assert batch.log.last().action == "reopened"


def test_the_database_keeps_a_paid_batch_as_it_is(april):
    batch = paid_batch(APRIL)
    with pytest.raises(IntegrityError), transaction.atomic():
        WageBatch.objects.filter(pk=batch.pk).update(status=WageBatch.Status.DRAFT)
    batch.refresh_from_db()
    assert batch.status == WageBatch.Status.PAID


# --- the lock ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "paid"])
def test_work_in_an_approved_or_paid_batch_cannot_be_saved_or_deleted(april, status):
    wang, _li, _task, entries = april
    batch = services.wage_batch_create(period_start=APRIL[0], period_end=APRIL[1])
    services.wage_batch_approve(batch=batch)
    if status == "paid":
        services.wage_batch_pay(batch=batch, paid_on=d(2026, 5, 10))
    entry = WorkEntry.objects.get(pk=entries[0].pk)

    entry.quantity, entry.amount = Decimal("0.5"), Decimal("50.00")
    with pytest.raises(ValidationError, match=f"wage batch that is {status}"):
        entry.save()
    with pytest.raises(ValidationError, match="record a correction instead"):
        entry.delete()
    with pytest.raises(WorkforceError, match="cannot be changed or deleted"):
        services.work_entry_delete(entry=entry)
    with pytest.raises(ValidationError):
        WorkEntry.objects.filter(villager=wang).update(amount=Decimal("1.00"))
    with pytest.raises(ValidationError):
        WorkEntry.objects.update(note="bulk")
    with pytest.raises(ValidationError):
        WorkEntry.objects.filter(villager=wang).delete()

    assert sorted(WorkEntry.objects.values_list("amount", flat=True)) == sorted(
        e.amount for e in entries
    )


def test_the_database_refuses_changing_locked_work_written_around_the_models(april):
    _wang, _li, _task, entries = april
    paid_batch(APRIL)
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_entries().filter(pk=entries[0].pk).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_entries().filter(pk=entries[0].pk).update(batch=None)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            raw_entries().filter(pk=entries[0].pk).delete()
    assert WorkEntry.objects.get(pk=entries[0].pk).amount == Decimal("100.00")
    # What money does not depend on may still be cleared, e.g. when a crew is deleted.
    assert raw_entries().filter(pk=entries[0].pk).update(crew=None) == 1


def test_work_in_a_draft_batch_can_still_be_changed(april):
    _wang, _li, _task, entries = april
    services.wage_batch_create(period_start=APRIL[0], period_end=APRIL[1])
    entries[0].delete()
    assert not WorkEntry.objects.filter(pk=entries[0].pk).exists()


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_shows_locked_work_read_only_with_the_reason_and_no_delete(as_manager, april):
    wang, _li, task, entries = april
    paid_batch(APRIL)
    entry = entries[0]
    edit = reverse("workforce_workentry:edit", args=[entry.pk])

    page = as_manager.get(edit)
    html = page.content.decode()
    assert page.status_code == 200
    assert "This work entry is in a wage batch that is paid" in html
    assert 'name="quantity"' not in html
    assert reverse("workforce_workentry_correct", args=[entry.pk]) in html
    assert reverse("workforce_workentry:delete", args=[entry.pk]) not in html

    posted = as_manager.post(
        edit,
        {
            "date": "2026-04-01",
            "villager": wang.pk,
            "task": task.pk,
            "basis": "day",
            "quantity": "0.5",
        },
    )
    assert posted.status_code == 409
    assert "Nothing was changed." in posted.content.decode()
    delete = reverse("workforce_workentry:delete", args=[entry.pk])
    assert as_manager.post(delete).status_code == 409
    entry.refresh_from_db()
    assert (entry.quantity, entry.amount) == (Decimal("1.00"), Decimal("100.00"))


def test_officials_cannot_open_a_correction(official, april):
    _wang, _li, _task, entries = april
    paid_batch(APRIL)
    url = reverse("workforce_workentry_correct", args=[entries[0].pk])
    assert official.get(url).status_code == 403
    assert official.post(url, {"amount_change": "-10", "note": "x"}).status_code == 403
    edit = reverse("workforce_workentry:edit", args=[entries[0].pk])
    assert official.get(edit).status_code == 403
    assert WorkEntry.objects.count() == 4


def test_a_manager_makes_a_batch_in_the_admin_from_the_periods_unbatched_work(as_manager, april):
    response = as_manager.post(
        reverse("workforce_wagebatch:add"),
        {"period_start": "2026-04-01", "period_end": "2026-04-30"},
    )
    assert response.status_code == 302
    batch = WageBatch.objects.get()
    assert batch.entries.count() == 4
    assert batch.status == WageBatch.Status.DRAFT

    empty = as_manager.post(
        reverse("workforce_wagebatch:add"),
        {"period_start": "2026-04-01", "period_end": "2026-04-30"},
    )
    assert empty.status_code == 200
    assert "There is no unpaid work between these dates." in empty.content.decode()
    assert WageBatch.objects.count() == 1


def test_a_large_batchs_page_groups_its_count_and_its_sum(as_manager):
    task = task_with_rates(day="100.00")
    villagers = [VillagerFactory() for _ in range(40)]
    raw_entries().bulk_create(
        WorkEntry(
            date=d(2026, 4, day),
            villager=villager,
            task=task,
            basis="day",
            quantity=1,
            rate=100,
            amount=100,
        )
        for villager in villagers
        for day in range(1, 31)
    )
    batch = services.wage_batch_create(period_start=APRIL[0], period_end=APRIL[1])

    page = as_manager.get(reverse("workforce_wagebatch:edit", args=[batch.pk])).content.decode()

    assert "1,200 work entries, ¥120,000.00 in all." in page


def test_a_manager_approves_then_pays_a_batch_in_the_admin(as_manager, manager_user, april):
    batch = services.wage_batch_create(period_start=APRIL[0], period_end=APRIL[1])
    edit = reverse("workforce_wagebatch:edit", args=[batch.pk])
    assert "Approve" in as_manager.get(edit).content.decode()

    assert as_manager.post(edit, {"action": "approve"}).status_code == 302
    batch.refresh_from_db()
    assert batch.status == WageBatch.Status.APPROVED

    no_date = as_manager.post(edit, {"action": "pay", "reference": "ICBC-1"})
    assert no_date.status_code == 200
    assert "Give the day the bank paid the batch." in no_date.content.decode()
    batch.refresh_from_db()
    assert batch.status == WageBatch.Status.APPROVED

    paid = as_manager.post(edit, {"action": "pay", "paid_on": "2026-05-08", "reference": "ICBC-1"})
    assert paid.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.paid_on, batch.reference) == ("paid", d(2026, 5, 8), "ICBC-1")
    assert batch.log.get(action="paid").user == manager_user
    # A paid batch's page offers no further step, and a forged one changes nothing.
    page = as_manager.get(edit).content.decode()
    assert 'name="action"' not in page
    as_manager.post(edit, {"action": "reopen"})
    batch.refresh_from_db()
    assert batch.status == WageBatch.Status.PAID


# --- corrections ---------------------------------------------------------------------------


def independent_months() -> dict:
    """Months of work from every entry in plain Python: a day counts when its entries pay something."""
    pay = defaultdict(Decimal)
    for entry in WorkEntry.objects.all():
        pay[(entry.villager_id, entry.date)] += entry.amount
    months: dict = {}
    for (villager_id, day), amount in pay.items():
        days, wages = months.get((villager_id, day.replace(day=1)), (0, Decimal("0")))
        months[(villager_id, day.replace(day=1))] = (days + (amount > 0), wages + amount)
    return {key: value for key, value in months.items() if value[0] > 0}


def stored_months() -> dict:
    return {(m.villager_id, m.month): (m.days, m.wages) for m in WorkMonth.objects.all()}


def test_a_correction_from_the_locked_entrys_page_lands_in_the_next_batch(as_manager, april):
    wang, li, task, entries = april
    april_batch = paid_batch(APRIL)
    piece = entries[3]
    url = reverse("workforce_workentry_correct", args=[piece.pk])

    response = as_manager.post(
        url, {"quantity_change": "-20", "amount_change": "-10.00", "note": "counted twice"}
    )
    assert response.status_code == 302
    correction = WorkEntry.objects.get(corrects=piece)
    assert (correction.villager, correction.date, correction.batch) == (li, piece.date, None)
    assert (correction.quantity, correction.amount) == (Decimal("-20"), Decimal("-10.00"))
    assert april_batch.entries.count() == 4

    work(wang, d(2026, 5, 6), task)
    may_batch = services.wage_batch_create(period_start=MAY[0], period_end=MAY[1])
    assert correction in may_batch.entries.all()
    assert stored_months() == independent_months()
    # An amount corrected adds no person-day: 李 still worked one day in April.
    assert stored_months()[(li.pk, d(2026, 4, 1))] == (1, Decimal("140.00"))
    report = job_report(start=APRIL[0], end=APRIL[1])
    assert report.current.person_days == 3
    assert report.current.wages == Decimal("340.00")
    page = as_manager.get(reverse("workforce_workentry:edit", args=[piece.pk])).content.decode()
    assert "counted twice" in page


def test_a_correction_that_takes_a_whole_day_back_removes_the_day_from_the_reports(april):
    wang, _li, _task, entries = april
    paid_batch(APRIL)
    services.work_entry_correct(
        entry=entries[1],
        quantity_change=Decimal("-1"),
        amount_change=Decimal("-100"),
        note="absent",
    )
    assert stored_months() == independent_months()
    assert stored_months()[(wang.pk, d(2026, 4, 1))] == (1, Decimal("100.00"))
    # The report over part of a month reads the entries themselves: the same answer.
    partial = job_report(start=d(2026, 4, 2), end=d(2026, 4, 2))
    assert (partial.current.person_days, partial.current.wages) == (1, Decimal("150.00"))
    whole = job_report(start=APRIL[0], end=APRIL[1])
    assert (whole.current.person_days, whole.current.wages) == (2, Decimal("250.00"))


def test_a_correction_cannot_take_back_more_than_was_paid_or_leave_a_day_under_the_minimum(
    april, settings
):
    settings.WORKFORCE_MINIMUM_DAY_PAY = "80.00"
    _wang, _li, _task, entries = april
    paid_batch(APRIL)
    with pytest.raises(WorkforceError, match="cannot take back more"):
        services.work_entry_correct(
            entry=entries[0], quantity_change=0, amount_change=Decimal("-100.01"), note="x"
        )
    with pytest.raises(WorkforceError, match="under the minimum"):
        services.work_entry_correct(
            entry=entries[0], quantity_change=0, amount_change=Decimal("-20.01"), note="x"
        )
    with pytest.raises(WorkforceError, match="Say why"):
        services.work_entry_correct(
            entry=entries[0], quantity_change=0, amount_change=Decimal("-5"), note=" "
        )
    services.work_entry_correct(
        entry=entries[0], quantity_change=0, amount_change=Decimal("-20.00"), note="half a break"
    )
    assert WorkEntry.objects.filter(corrects=entries[0]).count() == 1


def test_a_correction_cannot_add_a_second_day_paid_by_the_day(april, settings):
    settings.WORKFORCE_MINIMUM_DAY_PAY = "40.00"
    _wang, _li, _task, entries = april  # 王's 1 April: one day, paid
    paid_batch(APRIL)
    with pytest.raises(WorkforceError, match="already has 1 day's work"):
        services.work_entry_correct(
            entry=entries[0], quantity_change=Decimal("1"), amount_change=Decimal("100"), note="x"
        )
    # Taking half a day back is a correction like any other.
    services.work_entry_correct(
        entry=entries[0],
        quantity_change=Decimal("-0.5"),
        amount_change=Decimal("-50"),
        note="left at noon",
    )
    assert WorkEntry.objects.filter(corrects=entries[0]).count() == 1


def test_unlocked_work_is_changed_directly_not_corrected(april):
    _wang, _li, _task, entries = april
    with pytest.raises(WorkforceError, match="change it directly"):
        services.work_entry_correct(
            entry=entries[0], quantity_change=0, amount_change=Decimal("5"), note="x"
        )
    assert WorkEntry.objects.count() == 4


# --- the minimum day's pay, on the villager's whole day ----------------------------------


@pytest.fixture
def minimum_80(settings):
    settings.WORKFORCE_MINIMUM_DAY_PAY = "80.00"


def test_piece_work_paying_exactly_the_minimum_is_accepted_and_a_cent_less_refused(db, minimum_80):
    task = task_with_rates(piece="0.01")
    villager = VillagerFactory()
    with pytest.raises(WorkforceError, match=r"pays ¥79\.99, under the minimum day's pay of ¥80"):
        services.work_entry_record(
            villager=villager, date=d(2026, 4, 8), task=task, basis="piece", quantity=7999
        )
    assert not WorkEntry.objects.exists()
    entry = services.work_entry_record(
        villager=villager, date=d(2026, 4, 8), task=task, basis="piece", quantity=8000
    )
    assert entry.amount == Decimal("80.00")


def test_the_minimum_counts_every_entry_of_the_villagers_day(db, minimum_80):
    task = task_with_rates(day="100.00", hour="15.00", piece="0.01")
    villager = VillagerFactory()
    # Four hours alone pay ¥60: under the minimum.
    with pytest.raises(WorkforceError, match=r"pays ¥60\.00"):
        services.work_entry_record(
            villager=villager, date=d(2026, 4, 8), task=task, basis="hour", quantity=4
        )
    services.work_entry_record(
        villager=villager, date=d(2026, 4, 8), task=task, basis="piece", quantity=8000
    )
    # With the day's piece work (¥80) they make ¥140.
    services.work_entry_record(
        villager=villager, date=d(2026, 4, 8), task=task, basis="hour", quantity=4
    )
    assert sum(e.amount for e in WorkEntry.objects.all()) == Decimal("140.00")


def test_a_crews_day_checks_each_villagers_day_at_the_boundary(db, minimum_80):
    task = task_with_rates(piece="0.40")
    a, b = VillagerFactory(), VillagerFactory()
    with pytest.raises(WorkforceError, match=r"pays ¥79\.60") as refused:
        services.crew_day_record(
            date=d(2026, 4, 8),
            task=task,
            basis="piece",
            quantities={a.pk: Decimal("200"), b.pk: Decimal("199")},
        )
    assert refused.value.field == f"q_{b.pk}"
    assert not WorkEntry.objects.exists()
    services.crew_day_record(
        date=d(2026, 4, 8), task=task, basis="piece", quantities={a.pk: 200, b.pk: 200}
    )
    assert WorkEntry.objects.count() == 2


def test_the_admin_form_checks_the_villagers_day_at_the_boundary(as_manager, db, minimum_80):
    task = task_with_rates(piece="0.01")
    villager = VillagerFactory()
    url = reverse("workforce_workentry:add")
    fields = {"date": "2026-04-08", "villager": villager.pk, "task": task.pk, "basis": "piece"}
    refused = as_manager.post(url, {**fields, "quantity": "7999"})
    assert refused.status_code == 200
    assert "under the minimum day" in refused.content.decode()
    assert not WorkEntry.objects.exists()
    assert as_manager.post(url, {**fields, "quantity": "8000"}).status_code == 302
    entry = WorkEntry.objects.get()
    # Editing the entry compares the day without its old self.
    edit = reverse("workforce_workentry:edit", args=[entry.pk])
    assert as_manager.post(edit, {**fields, "quantity": "7999"}).status_code == 200
    assert as_manager.post(edit, {**fields, "quantity": "8100"}).status_code == 302
    entry.refresh_from_db()
    assert entry.amount == Decimal("81.00")


def test_months_of_work_stay_true_with_q2_corrections(workforce):
    """The report fixture's work, paid, then corrected: the stored months equal the recount."""
    paid_batch(Q2)
    piece = WorkEntry.objects.get(villager=workforce.li, basis="piece")
    services.work_entry_correct(
        entry=piece, quantity_change=Decimal("-33"), amount_change=Decimal("-16.50"), note="x"
    )
    assert stored_months() == independent_months()


def test_a_correction_taking_back_too_much_is_a_form_error_and_saves_nothing(as_manager, april):
    _wang, _li, _task, entries = april
    paid_batch(APRIL)
    url = reverse("workforce_workentry_correct", args=[entries[0].pk])
    response = as_manager.post(
        url, {"quantity_change": "0", "amount_change": "-500", "note": "wrong"}
    )
    assert response.status_code == 200
    assert "a correction cannot take back more" in response.content.decode()
    assert not WorkEntry.objects.filter(corrects__isnull=False).exists()
    unfilled = as_manager.post(url, {"quantity_change": "x", "amount_change": ""})
    assert unfilled.status_code == 200
    assert not WorkEntry.objects.filter(corrects__isnull=False).exists()
