"""Writes for the workforce: status changes, work entries (one or a crew's day), wage batches, rent.

Each function checks its input and raises ``WorkforceError`` with a message a farm
manager can act on; when it raises, nothing has been saved.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core import history

from .models import (
    Basis,
    Crew,
    Household,
    HouseholdStatus,
    LandLease,
    PovertyStatus,
    Rate,
    RentPayment,
    Task,
    Villager,
    WageBatch,
    WageBatchLog,
    WorkEntry,
    WorkMonth,
    days_by_the_day,
    locked_message,
)

CENT = Decimal("0.01")


class WorkforceError(Exception):
    """A write refused, with a message for the farm manager; ``field`` names the form field at fault."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


def minimum_day_pay() -> Decimal:
    return Decimal(str(getattr(settings, "WORKFORCE_MINIMUM_DAY_PAY", "80.00")))


def hours_per_day() -> Decimal:
    return Decimal(str(getattr(settings, "WORKFORCE_HOURS_PER_DAY", "8")))


def household_status_set(
    *, household: Household, status: str, since: datetime.date, note: str = ""
) -> HouseholdStatus:
    """Record the household's poverty status from ``since`` on (a change on the same day replaces it)."""
    if status not in PovertyStatus.values:
        raise WorkforceError(_("Unknown poverty status."), field="status")
    record, _created = HouseholdStatus.objects.update_or_create(
        household=household, since=since, defaults={"status": status, "note": note}
    )
    return record


def rate_for(*, task: Task, basis: str, date: datetime.date) -> Decimal:
    """The task's rate on ``basis`` in effect on ``date``; ``WorkforceError`` when none is."""
    rate = (
        Rate.objects.filter(task=task, basis=basis, effective_from__lte=date)
        .order_by("-effective_from")
        .values_list("amount", flat=True)
        .first()
    )
    if rate is None:
        raise WorkforceError(
            _("No rate for %(task)s %(basis)s is in effect on %(date)s; add one to the rate table.")
            % {"task": task, "basis": Basis(basis).label, "date": date.isoformat()},
            field="task",
        )
    return rate


def _check_quantity(quantity: Decimal, basis: str) -> Decimal:
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise WorkforceError(_("The quantity must be more than zero."), field="quantity")
    if basis == Basis.DAY and quantity > 1:
        raise WorkforceError(
            _("A work entry covers one date: at most one day's work on a day basis."),
            field="quantity",
        )
    if basis == Basis.HOUR and quantity > 16:
        raise WorkforceError(_("At most 16 hours can be recorded for a day."), field="quantity")
    return quantity


def day_pay_check(
    *,
    villager: Villager,
    date: datetime.date,
    amount: Decimal,
    days: Decimal = Decimal("0"),
    excluding: int | None = None,
    field: str = "quantity",
) -> Decimal:
    """Refuse work that leaves the villager's pay for ``date`` under the minimum day's pay,
    or that counts more than one day of work paid by the day on that date.

    The day's pay is every entry of the villager on that date (day, hourly and piece work,
    corrections included) plus ``amount``, less the entry ``excluding`` that is being
    replaced. Exactly the minimum is enough; a day whose corrections take it all back
    (nothing earned, no work) is allowed too. ``days`` is what the new work adds paid by
    the day: a crew's day sent twice, or one entry written twice, is refused rather than
    paid twice. Returns the day's pay.
    """
    earned = WorkEntry.objects.filter(villager=villager, date=date)
    if excluding is not None:
        earned = earned.exclude(pk=excluding)
    figures = earned.aggregate(total=Sum("amount"), days=Sum("quantity", filter=Q(basis=Basis.DAY)))
    if days and (figures["days"] or Decimal("0")) + days > 1:
        raise WorkforceError(
            _(
                "%(villager)s already has %(days)s day's work paid by the day on %(date)s; "
                "a date holds one day's work at most."
            )
            % {
                "date": date.isoformat(),
                "villager": villager,
                "days": (figures["days"] or Decimal("0")).normalize(),
            },
            field=field,
        )
    total = (figures["total"] or Decimal("0")) + amount
    minimum = minimum_day_pay()
    if total != 0 and total < minimum:
        raise WorkforceError(
            _(
                "On %(date)s %(villager)s's work pays ¥%(pay)s, under the minimum day's pay of "
                "¥%(minimum)s."
            )
            % {
                "date": date.isoformat(),
                "villager": villager,
                "pay": total.quantize(CENT),
                "minimum": minimum.quantize(CENT),
            },
            field=field,
        )
    return total


def _entry(
    *,
    villager_id: int,
    date: datetime.date,
    task: Task,
    basis: str,
    quantity: Decimal,
    rate: Decimal,
    crew: Crew | None,
    zone,
    planting=None,
) -> WorkEntry:
    return WorkEntry(
        date=date,
        villager_id=villager_id,
        task=task,
        crew=crew,
        zone=zone,
        planting=planting,
        basis=basis,
        quantity=quantity,
        rate=rate,
        amount=(quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP),
    )


def planting_work_zone(*, planting, zone, date: datetime.date):
    """The zone of work done for ``planting`` (its own), refusing another zone or an earlier date."""
    if planting is None:
        return zone
    if zone is not None and zone.pk != planting.zone_id:
        raise WorkforceError(
            _("The planting was in %(zone)s; choose that zone or none.") % {"zone": planting.zone},
            field="zone",
        )
    if date < planting.planted_on:
        raise WorkforceError(
            _("Work for a planting cannot be dated before it was planted (%(day)s).")
            % {"day": planting.planted_on.isoformat()},
            field="date",
        )
    return planting.zone


def work_entry_price(
    *, task: Task, basis: str, date: datetime.date, quantity: Decimal, rate: Decimal | None = None
) -> tuple[Decimal, Decimal, Decimal]:
    """Check a piece of work and price it: ``(quantity, rate, amount)``, the rate from the table unless given."""
    if basis not in Basis.values:
        raise WorkforceError(_("Unknown basis."), field="basis")
    quantity = _check_quantity(quantity, basis)
    rate = rate_for(task=task, basis=basis, date=date) if rate is None else Decimal(rate)
    if rate <= 0:
        raise WorkforceError(_("The rate must be more than zero."), field="rate")
    return quantity, rate, (quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def work_entry_record(
    *,
    villager: Villager,
    date: datetime.date,
    task: Task,
    basis: str,
    quantity: Decimal,
    rate: Decimal | None = None,
    crew: Crew | None = None,
    zone=None,
    planting=None,
) -> WorkEntry:
    """Record a villager's work; the rate comes from the rate table unless given."""
    zone = planting_work_zone(planting=planting, zone=zone, date=date)
    quantity, rate, amount = work_entry_price(
        task=task, basis=basis, date=date, quantity=quantity, rate=rate
    )
    entry = _entry(
        villager_id=villager.pk,
        date=date,
        task=task,
        basis=basis,
        quantity=quantity,
        rate=rate,
        crew=crew,
        zone=zone,
        planting=planting,
    )
    with transaction.atomic():
        _lock_villagers([villager.pk])
        day_pay_check(villager=villager, date=date, amount=amount, days=entry.days_by_the_day)
        entry.save()
    return entry


def _lock_villagers(villager_ids) -> None:
    """Lock the villagers' rows: two writers of one villager's day check its pay in turn."""
    list(
        Villager.objects.select_for_update()
        .filter(pk__in=sorted(villager_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def crew_day_record(
    *,
    date: datetime.date,
    task: Task,
    basis: str,
    quantities: dict[int, Decimal],
    crew: Crew | None = None,
    zone=None,
    planting=None,
) -> list[WorkEntry]:
    """A crew's day in one go: one entry per villager present (``{villager_id: quantity}``).

    Given a planting, the entries are that planting's work and take its zone.
    """
    zone = planting_work_zone(planting=planting, zone=zone, date=date)
    if basis not in Basis.values:
        raise WorkforceError(_("Unknown basis."), field="basis")
    if not quantities:
        raise WorkforceError(_("Tick at least one villager who was present."), field="villagers")
    known = set(Villager.objects.filter(pk__in=quantities).values_list("pk", flat=True))
    if known != set(quantities):
        raise WorkforceError(_("One of the villagers does not exist."), field="villagers")
    checked = {pk: _check_quantity(q, basis) for pk, q in quantities.items()}
    rate = rate_for(task=task, basis=basis, date=date)
    entries = [
        _entry(
            villager_id=pk,
            date=date,
            task=task,
            basis=basis,
            quantity=q,
            rate=rate,
            crew=crew,
            zone=zone,
            planting=planting,
        )
        for pk, q in sorted(checked.items())
    ]
    villagers = Villager.objects.in_bulk(list(checked))
    with transaction.atomic():
        _lock_villagers(checked)
        for entry in entries:
            day_pay_check(
                villager=villagers[entry.villager_id],
                date=date,
                amount=entry.amount,
                days=entry.days_by_the_day,
                field=f"q_{entry.villager_id}",
            )
        created = WorkEntry.objects.bulk_create(entries)
        work_months_refresh(keys=[(pk, date) for pk in checked])
        # One entry for the day, on the crew (else the planting, else the task).
        history.log_bulk(
            crew or planting or task,
            objects=created,
            model=WorkEntry,
            describe=lambda e: f"{villagers[e.villager_id]} ¥{e.amount}",
            note=_("%(date)s, %(task)s") % {"date": date.isoformat(), "task": task},
        )
    return created


def _batch_log(batch: WageBatch, action: str, *, user=None, note: str = "") -> None:
    WageBatchLog.objects.create(batch=batch, action=action, user=user, note=note)


def _batch_move(batch: WageBatch, to: str, *, from_: str, user=None, **fields) -> None:
    """Move ``batch`` from status ``from_`` to ``to`` if it is still there; refuse otherwise."""
    before = {**history.snapshot(batch), "status": from_}
    moved = WageBatch.objects.filter(pk=batch.pk, status=from_).update(status=to, **fields)
    if not moved:
        batch.refresh_from_db()
        raise WorkforceError(
            _("This wage batch is %(status)s; it cannot be %(action)s.")
            % {
                "status": batch.get_status_display().lower(),
                "action": WageBatch.Status(to).label.lower(),
            }
        )
    batch.refresh_from_db()
    history.log_change(batch, before=before, after=history.snapshot(batch), user=user)


def wage_batch_create(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    user=None,
) -> WageBatch:
    """A draft batch of the period's unbatched work entries, and of unbatched corrections of earlier work.

    The entries are claimed by a conditional UPDATE (``WHERE batch IS NULL``), so two
    managers creating batches at once cannot pay the same work twice. A correction keeps
    the date of the work it corrects, so one of work already paid lands in the next batch made.
    """
    if period_end < period_start:
        raise WorkforceError(_("The period must not end before it starts."), field="period_end")
    with transaction.atomic(), history.bulk_write():
        batch = WageBatch.objects.create(period_start=period_start, period_end=period_end)
        claimed = WorkEntry.objects.filter(
            Q(date__gte=period_start) | Q(corrects__isnull=False),
            batch__isnull=True,
            date__lte=period_end,
        ).update(batch=batch)
        if not claimed:
            raise WorkforceError(
                _("There is no unpaid work between these dates."), field="period_start"
            )
        _batch_log(batch, "created", user=user, note=str(claimed))
        first = batch.entries.select_related("villager").order_by("date", "pk")
        history.log_bulk(
            batch,
            objects=list(first[: history.BULK_LIST_LENGTH]),
            model=WorkEntry,
            count=claimed,
            describe=lambda e: f"{e.date} {e.villager} ¥{e.amount}",
            user=user,
            gathered=True,
        )
    return batch


def wage_batch_approve(*, batch: WageBatch, user=None) -> WageBatch:
    """Draft → approved: the batch's entries are locked from now on."""
    with transaction.atomic():
        _batch_move(batch, WageBatch.Status.APPROVED, from_=WageBatch.Status.DRAFT, user=user)
        _batch_log(batch, "approved", user=user)
    return batch


def wage_batch_reopen(*, batch: WageBatch, user=None, note: str = "") -> WageBatch:
    """Approved → draft, before any money has left: its entries may be corrected in place again.

    Approval is a check before the bank run; a mistake found before paying is fixed where
    it is, and the step back is logged with who and when. A paid batch never reopens.
    """
    with transaction.atomic():
        _batch_move(batch, WageBatch.Status.DRAFT, from_=WageBatch.Status.APPROVED, user=user)
        _batch_log(batch, "reopened", user=user, note=note)
    return batch


def wage_batch_pay(
    *, batch: WageBatch, paid_on: datetime.date, reference: str = "", user=None
) -> WageBatch:
    """Approved → paid, on a date under a bank reference; final."""
    if paid_on < batch.period_start:
        raise WorkforceError(_("A batch cannot be paid before its period starts."), field="paid_on")
    with transaction.atomic():
        _batch_move(
            batch,
            WageBatch.Status.PAID,
            from_=WageBatch.Status.APPROVED,
            user=user,
            paid_on=paid_on,
            reference=reference,
        )
        _batch_log(batch, "paid", user=user, note=reference)
    return batch


# Locked entries and corrections ---------------------------------------------------------


def work_entry_check_unlocked(entry: WorkEntry) -> None:
    """``WorkforceError`` when the entry is in an approved or paid batch (as stored now)."""
    batch = entry.stored_batch()
    if batch is not None and batch.locked:
        raise WorkforceError(locked_message(batch))


def work_entry_delete(*, entry: WorkEntry) -> None:
    """Delete an entry not yet approved for payment."""
    with transaction.atomic():
        work_entry_check_unlocked(entry)
        entry.delete()


def work_entry_correct(
    *,
    entry: WorkEntry,
    quantity_change: Decimal,
    amount_change: Decimal,
    note: str,
) -> WorkEntry:
    """Record a correction of a locked entry: a new, unbatched entry paid or recovered by a later batch.

    It keeps the corrected work's villager, date, task, basis and rate, so the months of
    work and the reports count it in the month the work was done; it adds no person-day
    (the day is already counted), and one that takes all of a day's pay back removes it.
    The corrected entry with its corrections never goes below zero, and the villager's
    day stays at least the minimum day's pay unless it comes to nothing.
    """
    quantity_change, amount_change = Decimal(quantity_change), Decimal(amount_change)
    note = note.strip()
    if not note:
        raise WorkforceError(_("Say why the work is corrected."), field="note")
    if amount_change == 0:
        raise WorkforceError(_("A correction changes the amount paid."), field="amount_change")
    if entry.corrects_id is not None:
        raise WorkforceError(_("Correct the original entry, not a correction."))
    with transaction.atomic():
        _lock_villagers([entry.villager_id])
        batch = entry.stored_batch()
        if batch is None or not batch.locked:
            raise WorkforceError(
                _("This entry is not in an approved or paid batch yet: change it directly.")
            )
        net = WorkEntry.objects.filter(Q(pk=entry.pk) | Q(corrects=entry)).aggregate(
            quantity=Sum("quantity"), amount=Sum("amount")
        )
        if net["amount"] + amount_change < 0:
            raise WorkforceError(
                _(
                    "The entry and its corrections come to ¥%(net)s; a correction cannot take back more."
                )
                % {"net": net["amount"]},
                field="amount_change",
            )
        if net["quantity"] + quantity_change < 0:
            raise WorkforceError(
                _(
                    "The entry and its corrections come to %(net)s; a correction cannot take back more."
                )
                % {"net": net["quantity"]},
                field="quantity_change",
            )
        day_pay_check(
            villager=entry.villager,
            date=entry.date,
            amount=amount_change,
            days=days_by_the_day(entry.basis, quantity_change),
            field="amount_change",
        )
        correction = WorkEntry(
            date=entry.date,
            villager_id=entry.villager_id,
            task_id=entry.task_id,
            crew_id=entry.crew_id,
            zone_id=entry.zone_id,
            planting_id=entry.planting_id,
            basis=entry.basis,
            quantity=quantity_change,
            rate=entry.rate,
            amount=amount_change,
            corrects=entry,
            note=note,
        )
        correction.save()
        # The corrected entry's history shows what the villager is now paid for that work.
        history.log_change(
            entry,
            before={
                "quantity": str(net["quantity"].quantize(CENT)),
                "amount": str(net["amount"].quantize(CENT)),
            },
            after={
                "quantity": str((net["quantity"] + quantity_change).quantize(CENT)),
                "amount": str((net["amount"] + amount_change).quantize(CENT)),
            },
            note=note,
            action=history.CORRECT,
        )
    return correction


def rent_payment_record(
    *, lease: LandLease, paid_on: datetime.date, amount: Decimal, reference: str = ""
) -> RentPayment:
    amount = Decimal(amount)
    if amount <= 0:
        raise WorkforceError(_("The amount must be more than zero."), field="amount")
    return RentPayment.objects.create(
        lease=lease, paid_on=paid_on, amount=amount, reference=reference
    )


def quantities_from(villager_ids: Iterable[int], quantity: Decimal) -> dict[int, Decimal]:
    return {int(pk): Decimal(quantity) for pk in villager_ids}


# Months of work ------------------------------------------------------------------------


def _months_insert(entries) -> None:
    """Sum ``entries`` per villager and month into new ``WorkMonth`` rows, in the database."""
    sql, params = entries.month_totals_sql()
    table = WorkMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (villager_id, month, days, wages) {sql}", params)


def _as_date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def work_months_refresh(*, keys: Iterable[tuple[int, datetime.date]]) -> None:
    """Recount the months of work of ``(villager_id, any date in the month)`` from their entries.

    Every write of a work entry calls this for the months it touched (the signals in
    ``workforce/signals.py`` do it for single saves and deletes). The villagers' rows
    are locked first, so two writers of the same villager's work recount one after
    the other and the later sees the earlier's entries.
    """
    keys = {(villager_id, _as_date(date).replace(day=1)) for villager_id, date in keys}
    if not keys:
        return
    villager_ids = sorted({villager_id for villager_id, _month in keys})
    months = sorted({month for _villager_id, month in keys})
    in_months = Q()
    for month in months:
        in_months |= Q(date__gte=month, date__lt=_next_month(month))
    with transaction.atomic():
        list(
            Villager.objects.select_for_update()
            .filter(pk__in=villager_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Villagers × months, a superset of the keys, each recounted whole.
        WorkMonth.objects.filter(villager_id__in=villager_ids, month__in=months).delete()
        _months_insert(WorkEntry.objects.filter(in_months, villager_id__in=villager_ids))


def work_months_rebuild() -> int:
    """Recount every month of work from the work entries; for imports and repairs. Returns the rows."""
    with transaction.atomic():
        WorkMonth.objects.all().delete()
        _months_insert(WorkEntry.objects.all())
        return WorkMonth.objects.count()
