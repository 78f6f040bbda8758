"""The job-creation report: jobs, days, wages and rent the base brings to the villages.

``job_report`` computes every figure from a handful of aggregate queries whose number
does not grow with the data: two over the period's months of work (per villager, and
per month; ``WorkMonth`` rows the services keep from the work entries, so a year is a
few rows per villager rather than every entry), one read of the villagers with their poverty status and
employment type as of the period's end, one of first hires, one of rent paid. The
breakdowns are sums over the per-villager rows, so they always add up to the totals.
"""

import calendar
import datetime
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import F, Min, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from .models import (
    Employment,
    EmploymentKind,
    HouseholdStatus,
    PovertyStatus,
    RentPayment,
    Village,
    Villager,
    WorkEntry,
    WorkEntryQuerySet,
    WorkMonth,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
POVERTY_STATUSES = [s for s in PovertyStatus.values if s != PovertyStatus.NONE]
AGE_BANDS = [
    (0, 29, "16–29"),
    (30, 44, "30–44"),
    (45, 59, "45–59"),
    (60, 200, "60+"),
]
UNRECORDED = "unrecorded"


def fte_days_default() -> int:
    return int(getattr(settings, "WORKFORCE_FTE_DAYS", 250))


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(numerator, denominator, places=CENT) -> Decimal:
    if not denominator:
        return ZERO.quantize(places)
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


# Periods -------------------------------------------------------------------------------


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_bounds(
    kind: str, year: int, number: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """``("month", 2026, 4)``, ``("quarter", 2026, 2)``, ``("year", 2026)``, ``("income_year", 2026)``.

    The income year 2026 runs from 1 October 2025 to 30 September 2026.
    """
    if kind == "month":
        return datetime.date(year, number, 1), month_end(year, number)
    if kind == "quarter":
        first = 3 * (number - 1) + 1
        return datetime.date(year, first, 1), month_end(year, first + 2)
    if kind == "year":
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if kind == "income_year":
        return datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30)
    raise ValueError(f"unknown period kind {kind!r}")


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def previous_period(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The period of the same length just before: whole months shift by months, else by days."""
    if start.day == 1 and end == month_end(end.year, end.month):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        previous_start = _add_months(start, -months)
        return previous_start, start - datetime.timedelta(days=1)
    length = (end - start).days + 1
    return start - datetime.timedelta(days=length), start - datetime.timedelta(days=1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = _add_months(month, 1)
    return months


# The report ----------------------------------------------------------------------------


@dataclass
class Figures:
    """The headline figures of one period."""

    employed: int = 0
    from_poverty_households: int = 0
    poverty_share: Decimal = ZERO
    new_hires: int = 0
    person_days: int = 0
    fte: Decimal = ZERO
    wages: Decimal = ZERO
    wages_per_worker: Decimal = ZERO
    land_rent: Decimal = ZERO
    households_benefiting: int = 0
    income_per_household: Decimal = ZERO


@dataclass
class Row:
    """A line of a breakdown or of the monthly series."""

    key: str
    label: str
    employed: int = 0
    person_days: int = 0
    wages: Decimal = ZERO
    previous_employed: int = 0
    month: datetime.date | None = None


@dataclass
class JobReport:
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    village: str | None
    village_name: str
    fte_days: int
    current: Figures
    previous: Figures
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    months: list[Row] = field(default_factory=list)

    def figure_rows(self) -> list[dict]:
        """The headline figures as rows (key, label, kind, value, previous, definition), in print order.

        ``kind`` says how the figure reads: ``money`` (yuan), ``percent``, ``decimal`` or ``count``.
        """
        labels = figure_labels()
        defs = definitions(self.fte_days)
        return [
            {
                "key": key,
                "label": labels[key],
                "kind": FIGURE_KINDS.get(key, "count"),
                "value": getattr(self.current, key),
                "previous": getattr(self.previous, key),
                "definition": defs[key],
            }
            for key in labels
        ]

    def as_dict(self) -> dict:
        """Plain JSON-ready data: dates as ISO strings, money and ratios as strings."""

        def plain(value):
            if isinstance(value, (datetime.date, Decimal)):
                return str(value)
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(
            {
                "period": {"start": self.start, "end": self.end},
                "previous_period": {"start": self.previous_start, "end": self.previous_end},
                "village": self.village,
                "fte_days": self.fte_days,
                "figures": asdict(self.current),
                "previous_figures": asdict(self.previous),
                "breakdowns": {
                    name: [asdict(row) for row in rows] for name, rows in self.breakdowns.items()
                },
                "months": [asdict(row) for row in self.months],
                "definitions": {k: str(v) for k, v in definitions(self.fte_days).items()},
            }
        )


# How each headline figure reads; the others are counts.
FIGURE_KINDS = {
    "poverty_share": "percent",
    "fte": "decimal",
    "wages": "money",
    "wages_per_worker": "money",
    "land_rent": "money",
    "income_per_household": "money",
}


def figure_labels() -> dict[str, str]:
    return {
        "employed": _("Villagers employed"),
        "from_poverty_households": _("of them from poverty-registered or monitored households"),
        "poverty_share": _("Share from poverty-registered or monitored households (%)"),
        "new_hires": _("New hires"),
        "person_days": _("Person-days worked"),
        "fte": _("Full-time equivalents (FTE)"),
        "wages": _("Wages (CNY)"),
        "wages_per_worker": _("Wages per villager employed (CNY)"),
        "land_rent": _("Land rent paid (CNY)"),
        "households_benefiting": _("Households benefiting"),
        "income_per_household": _("Income added per household (CNY)"),
    }


def definitions(fte_days: int) -> dict[str, str]:
    """What each figure counts, printed under it on the page and in every export."""
    return {
        "employed": _(
            "Villagers with at least one work entry dated in the period, each counted once "
            "whatever the crews or villages they worked in; villagers count in their household's village."
        ),
        "from_poverty_households": _(
            "Villagers employed whose household's poverty status on the last day of the period "
            "is lifted out of poverty (脱贫户) or one of the three monitored kinds (防返贫监测户)."
        ),
        "poverty_share": _("Villagers from such households ÷ villagers employed × 100."),
        "new_hires": _(
            "Villagers whose first employment period with the base starts in the period."
        ),
        "person_days": _(
            "Days on which a villager worked, counted once per villager and date however many "
            "entries that day has."
        ),
        "fte": _("Person-days ÷ %(days)s days, the working days of one full-time job in a year.")
        % {"days": fte_days},
        "wages": _(
            "Amounts of the work entries dated in the period (quantity × rate from the dated rate "
            "table), paid through the wage batches."
        ),
        "wages_per_worker": _("Wages ÷ villagers employed."),
        "land_rent": _(
            "Rent payments to households for land leased by the base, by date paid, in the period."
        ),
        "households_benefiting": _(
            "Households with a villager employed in the period or rent paid to them in the period."
        ),
        "income_per_household": _("(Wages + land rent) ÷ households benefiting."),
    }


def breakdown_titles() -> dict[str, str]:
    return {
        "village": _("By village"),
        "gender": _("By gender"),
        "age_band": _("By age band (age on the last day of the period)"),
        "employment_type": _("By employment type"),
        "poverty_status": _("By household poverty status"),
    }


def breakdown_headings() -> dict[str, str]:
    """The heading of each breakdown's first column: what its rows are."""
    return {
        "village": _("Village"),
        "gender": _("Gender"),
        "age_band": _("Age band"),
        "employment_type": _("Employment type"),
        "poverty_status": _("Household poverty status"),
    }


BREAKDOWNS = ("village", "gender", "age_band", "employment_type", "poverty_status")


@dataclass
class _Period:
    """One period's figures, its months, and its villagers employed tallied per group.

    ``groups`` maps a tuple of the villager's keys, in ``BREAKDOWNS`` order, to the
    villagers employed, person-days and wages of that combination: a few hundred rows
    at most, whatever the number of villagers, from which every breakdown is summed.
    """

    figures: Figures
    groups: dict[tuple, dict]
    months: dict[datetime.date, dict]


def _worked_sql(start, end, village: str | None) -> tuple[str, list]:
    """SQL for one row per villager and month worked in the period: villager_id, month, days, wages.

    Whole months are read from the months of work (``WorkMonth``, kept by the services);
    a partial first or last month is summed from its work entries, each person-day once.
    """
    first_whole = start if start.day == 1 else _add_months(start, 1)
    after_whole = (
        _add_months(end, 1) if end == month_end(end.year, end.month) else end.replace(day=1)
    )
    parts = []
    if first_whole < after_whole:
        parts.append(
            WorkMonth.objects.filter(month__gte=first_whole, month__lt=after_whole).values_list(
                "villager_id", "month", "days", "wages"
            )
        )
        spans = [(start, first_whole - datetime.timedelta(days=1)), (after_whole, end)]
    else:
        spans = [(start, end)]
    for first, last in spans:
        if first <= last:
            parts.append(WorkEntry.objects.filter(date__gte=first, date__lte=last))
    selects, params = [], []
    for n, part in enumerate(parts):
        if village:
            part = part.filter(villager__household__group__village__code=village)
        if isinstance(part, WorkEntryQuerySet):
            sql, part_params = part.month_totals_sql()
        else:
            sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT villager_id, month, days, wages FROM ({sql}) AS part{n}")
        params.extend(part_params)
    return " UNION ALL ".join(selects), params


def _summed_money(value) -> Decimal:
    """A database's SUM of amounts: exact from PostgreSQL; SQLite may answer a float."""
    return value if isinstance(value, Decimal) else _money(Decimal(str(value)))


def work_by_villager(start, end, village: str | None = None) -> dict[int, tuple[int, Decimal]]:
    """``{villager_id: (person-days, wages)}`` of the villagers who worked in the period."""
    sql, params = _worked_sql(start, end, village)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT villager_id, SUM(days), SUM(wages) FROM ({sql}) AS w GROUP BY villager_id",
            params,
        )
        return {pk: (int(days), _summed_money(wages)) for pk, days, wages in cursor.fetchall()}


def work_by_month(start, end, village: str | None = None) -> dict[datetime.date, dict]:
    """Per month worked in the period: villagers employed, person-days and wages."""
    sql, params = _worked_sql(start, end, village)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT month, COUNT(*), SUM(days), SUM(wages) FROM ({sql}) AS w GROUP BY month",
            params,
        )
        rows = cursor.fetchall()
    months = {}
    for month, employed, days, wages in rows:
        if isinstance(month, str):
            month = datetime.date.fromisoformat(month[:10])
        elif isinstance(month, datetime.datetime):
            month = month.date()
        months[month] = {"employed": employed, "days": int(days), "wages": _summed_money(wages)}
    return months


def _villager_attributes(end, village: str | None) -> dict[int, tuple]:
    """Per villager: ``(household_id, group keys in BREAKDOWNS order)`` as of ``end``."""
    status = (
        HouseholdStatus.objects.filter(household_id=OuterRef("household_id"), since__lte=end)
        .order_by("-since")
        .values("status")[:1]
    )
    kind = (
        Employment.objects.filter(villager_id=OuterRef("pk"), starts_on__lte=end)
        .order_by("-starts_on", "-pk")
        .values("kind")[:1]
    )
    villagers = Villager.objects.all()
    if village:
        villagers = villagers.filter(household__group__village__code=village)
    rows = villagers.annotate(
        status=Subquery(status),
        kind=Subquery(kind),
        village_code=F("household__group__village__code"),
    ).values_list("pk", "household_id", "village_code", "gender", "birth_year", "kind", "status")
    return {
        pk: (
            household_id,
            (
                village_code,
                gender,
                age_band(end.year - birth_year),
                kind or UNRECORDED,
                status or PovertyStatus.NONE,
            ),
        )
        for pk, household_id, village_code, gender, birth_year, kind, status in rows
    }


def _new_hires(start, end, village: str | None) -> int:
    employments = Employment.objects.all()
    if village:
        employments = employments.filter(villager__household__group__village__code=village)
    return (
        employments.values("villager_id")
        .annotate(first=Min("starts_on"))
        .filter(first__gte=start, first__lte=end)
        .count()
    )


def _rent_by_household(start, end, village: str | None) -> dict[int, Decimal]:
    payments = RentPayment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    if village:
        payments = payments.filter(lease__household__group__village__code=village)
    return {
        row["lease__household_id"]: row["rent"]
        for row in payments.values("lease__household_id").annotate(rent=Sum("amount")).order_by()
    }


def _compute(start, end, village: str | None, fte_days: int) -> _Period:
    by_villager = work_by_villager(start, end, village)
    months = work_by_month(start, end, village)
    attributes = _villager_attributes(end, village)
    rent = _rent_by_household(start, end, village)
    groups: dict[tuple, dict] = {}
    households = set(rent)
    for pk, (days, wages) in by_villager.items():
        household_id, keys = attributes[pk]
        households.add(household_id)
        group = groups.get(keys)
        if group is None:
            group = groups[keys] = {"employed": 0, "days": 0, "wages": ZERO}
        group["employed"] += 1
        group["days"] += days
        group["wages"] += wages
    status_at = BREAKDOWNS.index("poverty_status")
    employed = len(by_villager)
    poor = sum(g["employed"] for keys, g in groups.items() if keys[status_at] in POVERTY_STATUSES)
    person_days = sum(g["days"] for g in groups.values())
    wages = sum((g["wages"] for g in groups.values()), ZERO)
    land_rent = sum(rent.values(), ZERO)
    figures = Figures(
        employed=employed,
        from_poverty_households=poor,
        poverty_share=_ratio(poor * 100, employed, Decimal("0.1")),
        new_hires=_new_hires(start, end, village),
        person_days=person_days,
        fte=_ratio(person_days, fte_days),
        wages=_money(wages),
        wages_per_worker=_ratio(wages, employed),
        land_rent=_money(land_rent),
        households_benefiting=len(households),
        income_per_household=_ratio(wages + land_rent, len(households)),
    )
    return _Period(figures, groups, months)


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return AGE_BANDS[-1][2]


def _breakdown_labels(name: str, villages: dict[str, str]) -> dict[str, str]:
    if name == "village":
        return villages
    if name == "gender":
        return {str(k): str(v) for k, v in Villager.Gender.choices}
    if name == "age_band":
        return {label: label for _low, _high, label in AGE_BANDS}
    if name == "employment_type":
        return {
            **{str(k): str(v) for k, v in EmploymentKind.choices},
            UNRECORDED: _("Not recorded"),
        }
    if name == "poverty_status":
        return {str(k): str(v) for k, v in PovertyStatus.choices}
    raise ValueError(name)


def _breakdown(name: str, current: _Period, previous: _Period, villages) -> list[Row]:
    labels = _breakdown_labels(name, villages)
    rows = {key: Row(key=key, label=label) for key, label in labels.items()}
    at = BREAKDOWNS.index(name)
    for keys, group in current.groups.items():
        key = keys[at]
        row = rows.setdefault(key, Row(key=key, label=key))
        row.employed += group["employed"]
        row.person_days += group["days"]
        row.wages += group["wages"]
    for keys, group in previous.groups.items():
        key = keys[at]
        rows.setdefault(key, Row(key=key, label=key)).previous_employed += group["employed"]
    result = [row for row in rows.values() if row.employed or row.previous_employed]
    for row in result:
        row.wages = _money(row.wages)
    return result


def job_report(
    *,
    start: datetime.date,
    end: datetime.date,
    village: str | None = None,
    fte_days: int | None = None,
    compare: bool = True,
) -> JobReport:
    """The job-creation report for ``start``–``end`` (inclusive), for one village's code or all.

    ``compare`` also computes the previous period of the same length, shown beside each figure.
    """
    if end < start:
        raise ValueError("the period must not end before it starts")
    fte_days = fte_days or fte_days_default()
    villages = dict(Village.objects.values_list("code", "name"))
    if village and village not in villages:
        raise Village.DoesNotExist(village)
    previous_start, previous_end = previous_period(start, end)
    current = _compute(start, end, village, fte_days)
    if compare:
        previous = _compute(previous_start, previous_end, village, fte_days)
    else:
        previous = _Period(Figures(), {}, {})
    report = JobReport(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        village=village,
        village_name=villages.get(village, "") if village else "",
        fte_days=fte_days,
        current=current.figures,
        previous=previous.figures,
    )
    report.breakdowns = {name: _breakdown(name, current, previous, villages) for name in BREAKDOWNS}
    for month in months_between(start, end):
        totals = current.months.get(month, {"employed": 0, "days": 0, "wages": ZERO})
        report.months.append(
            Row(
                key=month.strftime("%Y-%m"),
                label=month.strftime("%Y-%m"),
                employed=totals["employed"],
                person_days=totals["days"],
                wages=_money(totals["wages"]),
                month=month,
            )
        )
    return report


def impact_this_year(*, today: datetime.date | None = None) -> dict:
    """The home page's figure: villagers employed and wages this calendar year (aggregates only)."""
    from django.core.cache import cache
    from django.utils import timezone

    today = today or timezone.localdate()
    key = f"workforce:impact:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    report = job_report(start=datetime.date(today.year, 1, 1), end=today, compare=False)
    impact = {
        "year": today.year,
        "employed": report.current.employed,
        "wages": report.current.wages,
        "households": report.current.households_benefiting,
    }
    cache.set(key, impact, 60 * 10)
    return impact


def impact_since_start(*, today: datetime.date | None = None) -> dict:
    """Villagers employed since the park's first work entry, and how many came from poverty households.

    The job report's figures over the whole span, so "from poverty households" means the
    same here as there: the household's status on the last day (today) is lifted out of
    poverty or one of the monitored kinds. ``since`` is None when no work is recorded.
    """
    from django.core.cache import cache
    from django.utils import timezone

    today = today or timezone.localdate()
    key = f"workforce:impact-since-start:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    first = WorkEntry.objects.filter(date__lte=today).aggregate(first=Min("date"))["first"]
    impact = {"since": first, "employed": 0, "from_poverty_households": 0}
    if first is not None:
        figures = job_report(start=first, end=today, compare=False).current
        impact.update(
            employed=figures.employed, from_poverty_households=figures.from_poverty_households
        )
    cache.set(key, impact, 60 * 10)
    return impact
