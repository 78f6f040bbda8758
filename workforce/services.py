"""Writes for the workforce: status changes, work entries (one or a crew's day), wage batches, rent.

Each function checks its input and raises ``WorkforceError`` with a message a farm
manager can act on; when it raises, nothing has been saved.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

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
    WorkEntry,
    WorkMonth,
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


def _check_day_pay(rate: Decimal, basis: str) -> None:
    """Refuse a day or hourly rate that pays a full day less than the configured minimum."""
    minimum = minimum_day_pay()
    day_pay = rate if basis == Basis.DAY else rate * hours_per_day()
    if basis in (Basis.DAY, Basis.HOUR) and day_pay < minimum:
        raise WorkforceError(
            _("A full day at this rate pays ¥%(pay)s, under the minimum day's pay of ¥%(minimum)s.")
            % {"pay": day_pay.quantize(CENT), "minimum": minimum.quantize(CENT)},
            field="rate",
        )


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
    _check_day_pay(rate, basis)
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
    quantity, rate, _amount = work_entry_price(
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
    entry.save()
    return entry


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
    _check_day_pay(rate, basis)
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
    with transaction.atomic():
        created = WorkEntry.objects.bulk_create(entries)
        work_months_refresh(keys=[(pk, date) for pk in checked])
    return created


def wage_batch_create(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    paid_on: datetime.date | None = None,
    reference: str = "",
) -> WageBatch:
    """Gather every unpaid work entry of the period into a new wage batch.

    The entries are claimed by a conditional UPDATE (``WHERE batch IS NULL``), so two
    managers creating batches at once cannot pay the same work twice.
    """
    if period_end < period_start:
        raise WorkforceError(_("The period must not end before it starts."), field="period_end")
    with transaction.atomic():
        batch = WageBatch.objects.create(
            period_start=period_start, period_end=period_end, paid_on=paid_on, reference=reference
        )
        claimed = WorkEntry.objects.filter(
            batch__isnull=True, date__gte=period_start, date__lte=period_end
        ).update(batch=batch)
        if not claimed:
            raise WorkforceError(
                _("There is no unpaid work between these dates."), field="period_start"
            )
    return batch


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
    grouped = (
        entries.annotate(month=TruncMonth("date"))
        .values("villager_id", "month")
        .annotate(days=Count("date", distinct=True), wages=Sum("amount"))
        .values_list("villager_id", "month", "days", "wages")
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
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
