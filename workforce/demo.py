"""The demo workforce: three villages, ~180 households, ~320 villagers, two years of work.

Before those two years, the base's earlier seasons (from its first spring, 2019) are
recorded more thinly: villagers who worked a season or two and moved on. With them, the
villagers employed since the first work entry come to more than 300, the reference
park's published figure, computed from the records rather than asserted.

``ensure_workforce_demo(tally)`` is called by ``manage.py load_demo``. Every name is plainly
fictional (演示村民 001 …) and every ID number starts with 9999, which no region has.
Rows are found by natural keys (codes, names) and only created when missing; work,
wage batches and rent are created only when the demo villagers have none yet, so a
second run creates nothing. Random choices use a fixed seed: every first run builds the
same park, relative to today's date.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from core import history

from .models import (
    Basis,
    Crew,
    Employment,
    EmploymentKind,
    Household,
    HouseholdStatus,
    LandLease,
    PovertyStatus,
    Rate,
    RentPayment,
    Task,
    Village,
    VillageGroup,
    Villager,
    WageBatch,
    WorkEntry,
)
from .services import work_months_rebuild

SEED = 20201215
CENT = Decimal("0.01")
VILLAGES = [
    ("demo-1", "演示一村", "Demo Village One", 6),
    ("demo-2", "演示二村", "Demo Village Two", 5),
    ("demo-3", "演示三村", "Demo Village Three", 4),
]
HOUSEHOLDS = 180
VILLAGERS = 320
# The base's first planting season, and how many villagers worked only in the seasons
# before the two detailed years (a season or two each, then other work or retirement).
FIRST_SEASON = datetime.date(2019, 3, 1)
FORMER_WORKERS = 116
LEASED_MU = Decimal("3000")
RENT_PER_MU = Decimal("800.00")
# (code, Chinese, English, day rate, piece rate or None)
TASKS = [
    ("planting", "栽植", "Planting", "110.00", "0.60"),
    ("weeding", "除草", "Weeding", "100.00", None),
    ("watering", "浇水", "Watering", "100.00", None),
    ("pruning", "修剪", "Pruning", "120.00", None),
    ("lifting", "起苗", "Lifting stock for sale", "130.00", "1.50"),
    ("visitors", "游客服务", "Visitor services", "105.00", None),
]
# How likely a seasonal worker is to work on a given day, by month: peaks at spring and
# autumn planting (March, November) and at the bloom seasons (April–May, September–October).
SEASON = {
    1: 0.10,
    2: 0.15,
    3: 0.55,
    4: 0.65,
    5: 0.50,
    6: 0.25,
    7: 0.20,
    8: 0.20,
    9: 0.45,
    10: 0.50,
    11: 0.55,
    12: 0.15,
}
MONTH_TASKS = {
    1: ["pruning", "weeding"],
    2: ["pruning", "lifting"],
    3: ["planting", "lifting", "watering"],
    4: ["planting", "visitors", "weeding"],
    5: ["visitors", "weeding", "watering"],
    6: ["weeding", "watering"],
    7: ["watering", "weeding"],
    8: ["watering", "weeding"],
    9: ["visitors", "weeding", "lifting"],
    10: ["visitors", "planting", "lifting"],
    11: ["planting", "lifting"],
    12: ["pruning", "lifting"],
}


def _count(tally, kind: str, created: int, present: int) -> None:
    for _ in range(created):
        tally.add(kind, True)
    for _ in range(present):
        tally.add(kind, False)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ensure_workforce_demo(tally, *, today: datetime.date | None = None) -> None:
    """Create what is missing of the demo workforce; count created and present rows in ``tally``."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    # A bulk write: its thousands of rows are not logged in the history one by one.
    with transaction.atomic(), history.bulk_write():
        groups = _ensure_villages(tally)
        households = _ensure_households(groups, rng, tally)
        villagers = _ensure_villagers(households, rng, tally)
        tasks = _ensure_tasks(today, tally)
        _ensure_statuses(households, rng, today, tally)
        crews = _ensure_crews(tally)
        _ensure_work(villagers, tasks, crews, rng, today, tally)
        _ensure_leases(households, rng, today, tally)


def _ensure_villages(tally) -> list[VillageGroup]:
    groups = []
    for code, name, name_en, group_count in VILLAGES:
        village, created = Village.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        tally.add("villages", created)
        for number in range(1, group_count + 1):
            group, created = VillageGroup.objects.get_or_create(
                village=village, number=number, defaults={"name": f"{name}{number}组"}
            )
            tally.add("village groups", created)
            groups.append(group)
    return groups


def _ensure_households(groups, rng, tally) -> list[Household]:
    codes = [f"demo-h{n:03d}" for n in range(1, HOUSEHOLDS + 1)]
    existing = set(Household.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [
        Household(
            code=code,
            group=groups[rng.randrange(len(groups))],
            head_name=f"演示户主 {n:03d}",
        )
        for n, code in enumerate(codes, start=1)
        if code not in existing
    ]
    Household.objects.bulk_create(missing)
    _count(tally, "households", len(missing), len(existing))
    return list(Household.objects.filter(code__in=codes).order_by("code"))


def _ensure_villagers(households, rng, tally) -> list[Villager]:
    names = [f"演示村民 {n:03d}" for n in range(1, VILLAGERS + 1)]
    demo = Villager.objects.filter(household__code__startswith="demo-h")
    existing = set(demo.values_list("name", flat=True))
    missing = []
    for n, name in enumerate(names, start=1):
        # Every household has one member; the rest of the villagers join households at random.
        household = households[n - 1] if n <= len(households) else rng.choice(households)
        birth_year = rng.randint(1955, 2003)
        if name in existing:
            continue
        missing.append(
            Villager(
                household=household,
                name=name,
                gender=rng.choice("fm"),
                birth_year=birth_year,
                phone=f"1380000{n:04d}",
                id_number=f"9999{rng.randint(10, 99)}{birth_year}0101{n:04d}",
            )
        )
    Villager.objects.bulk_create(missing)
    _count(tally, "villagers", len(missing), len(existing))
    return list(demo.select_related("household__group").order_by("name"))


def _ensure_tasks(today, tally) -> dict[str, Task]:
    since = min(
        FIRST_SEASON.replace(month=1, day=1), today.replace(year=today.year - 3, month=1, day=1)
    )
    raise_from = today.replace(month=1, day=1)
    tasks = {}
    for code, name, name_en, day, piece in TASKS:
        task, created = Task.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        tally.add("tasks", created)
        tasks[code] = task
        rates = [(Basis.DAY, Decimal(day), since), (Basis.DAY, Decimal(day) + 10, raise_from)]
        if piece:
            rates.append((Basis.PIECE, Decimal(piece), since))
        for basis, amount, effective_from in rates:
            _rate, created = Rate.objects.get_or_create(
                task=task, basis=basis, effective_from=effective_from, defaults={"amount": amount}
            )
            tally.add("rates", created)
    return tasks


def _ensure_statuses(households, rng, today, tally) -> None:
    if HouseholdStatus.objects.filter(household__in=households).exists():
        _count(
            tally,
            "poverty statuses",
            0,
            HouseholdStatus.objects.filter(household__in=households).count(),
        )
        return
    statuses = []
    two_years_ago = today - datetime.timedelta(days=730)
    for n, household in enumerate(households):
        if n % 5 in (0, 1):  # 40% from poverty-registered or monitored households
            status = rng.choices(
                [
                    PovertyStatus.LIFTED,
                    PovertyStatus.UNSTABLE,
                    PovertyStatus.MARGINAL,
                    PovertyStatus.HARDSHIP,
                ],
                weights=[70, 10, 12, 8],
            )[0]
            statuses.append(
                HouseholdStatus(
                    household=household, status=status, since=datetime.date(2016 + n % 5, 6, 1)
                )
            )
            if status != PovertyStatus.LIFTED and n % 3 == 0:
                # Some monitored households leave monitoring during the two years.
                statuses.append(
                    HouseholdStatus(
                        household=household,
                        status=PovertyStatus.NONE,
                        since=two_years_ago + datetime.timedelta(days=rng.randint(60, 600)),
                        note="演示：风险已消除",
                    )
                )
        else:
            statuses.append(
                HouseholdStatus(
                    household=household, status=PovertyStatus.NONE, since=datetime.date(2016, 1, 1)
                )
            )
    HouseholdStatus.objects.bulk_create(statuses)
    _count(tally, "poverty statuses", len(statuses), 0)


def _ensure_crews(tally) -> list[Crew]:
    crews = []
    for code, name, _name_en, _groups in VILLAGES:
        for number in (1, 2):
            crew, created = Crew.objects.get_or_create(
                name=f"{name}{number}队", defaults={"village": Village.objects.get(code=code)}
            )
            tally.add("crews", created)
            crews.append(crew)
    return crews


def _rate_table(tasks) -> dict:
    table = {}
    for rate in Rate.objects.filter(task__in=tasks.values()).order_by("effective_from"):
        table.setdefault((rate.task_id, rate.basis), []).append((rate.effective_from, rate.amount))
    return table


def _rate_on(table, task, basis, day) -> Decimal:
    amount = None
    for since, value in table[(task.pk, basis)]:
        if since <= day:
            amount = value
    return amount


def _ensure_work(villagers, tasks, crews, rng, today, tally) -> None:
    present = WorkEntry.objects.filter(villager__in=villagers).count()
    if present:
        _count(tally, "work entries", 0, present)
        _count(tally, "employments", 0, Employment.objects.filter(villager__in=villagers).count())
        _count(
            tally,
            "wage batches",
            0,
            WageBatch.objects.filter(reference__startswith="DEMO-").count(),
        )
        return
    from nursery.models import Zone

    zones = list(Zone.objects.all())
    start = today.replace(day=1) - datetime.timedelta(days=730)
    start = start.replace(day=1)
    # 60% of villagers work for the base: a few permanent, most seasonal, some casual.
    workers = [v for n, v in enumerate(villagers) if n % 5 < 3]
    employments, kinds = [], {}
    for n, villager in enumerate(workers):
        kind = (
            EmploymentKind.PERMANENT
            if n % 8 == 0
            else EmploymentKind.CASUAL
            if n % 4 == 1
            else EmploymentKind.SEASONAL
        )
        # A fifth were hired during the two years; the rest worked before.
        hired = (
            start + datetime.timedelta(days=rng.randint(0, 600))
            if n % 5 == 4
            else start - datetime.timedelta(days=rng.randint(30, 1500))
        )
        kinds[villager.pk] = (kind, hired)
        employments.append(
            Employment(
                villager=villager,
                role="花工" if kind != EmploymentKind.PERMANENT else "班组长",
                kind=kind,
                starts_on=hired,
            )
        )
    Employment.objects.bulk_create(employments)
    _count(tally, "employments", len(employments), 0)

    crew_of = {}
    for villager in workers:
        home = [c for c in crews if c.village_id == villager.household.group.village_id]
        crew_of[villager.pk] = rng.choice(home)
    table = _rate_table(tasks)
    entries = []
    day = start
    while day <= today:
        season = SEASON[day.month]
        month_tasks = [tasks[code] for code in MONTH_TASKS[day.month]]
        for villager in workers:
            kind, hired = kinds[villager.pk]
            if day < hired:
                continue
            chance = (
                0.85
                if kind == EmploymentKind.PERMANENT
                else season * (0.5 if kind == EmploymentKind.CASUAL else 1)
            )
            if day.weekday() == 6 and kind == EmploymentKind.PERMANENT:
                continue
            if rng.random() >= chance:
                continue
            task = rng.choice(month_tasks)
            crew = crew_of[villager.pk]
            if rng.random() < 0.05:  # now and then a villager helps another village's crew
                crew = rng.choice(crews)
            piece = (task.pk, Basis.PIECE) in table and rng.random() < 0.4
            basis = Basis.PIECE if piece else Basis.DAY
            quantity = Decimal(rng.randint(150, 320)) if piece else Decimal("1")
            rate = _rate_on(table, task, basis, day)
            entries.append(
                WorkEntry(
                    date=day,
                    villager_id=villager.pk,
                    task=task,
                    crew=crew,
                    zone=rng.choice(zones) if zones and task.code != "visitors" else None,
                    basis=basis,
                    quantity=quantity,
                    rate=rate,
                    amount=_money(quantity * rate),
                )
            )
        day += datetime.timedelta(days=1)
    former = [v for n, v in enumerate(villagers) if n % 5 >= 3][:FORMER_WORKERS]
    entries += _earlier_seasons(former, tasks, crews, table, rng, before=start, tally=tally)
    WorkEntry.objects.bulk_create(entries, batch_size=2000)
    work_months_rebuild()
    _count(tally, "work entries", len(entries), 0)

    # One wage batch per finished month, paid on the 10th of the next.
    batches, month = 0, min(FIRST_SEASON, start)
    # The earlier seasons' gaps (summers, winters) had nobody to pay.
    months_worked = {entry.date.replace(day=1) for entry in entries if entry.date < start}
    while True:
        next_month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        month_end = next_month - datetime.timedelta(days=1)
        if month_end >= today:
            break
        if month < start and month not in months_worked:
            month = next_month
            continue
        paid_on = next_month.replace(day=10)
        paid = paid_on <= today
        batch = WageBatch.objects.create(
            period_start=month,
            period_end=month_end,
            status=WageBatch.Status.PAID if paid else WageBatch.Status.APPROVED,
            paid_on=paid_on if paid else None,
            reference=f"DEMO-{month:%Y%m}",
        )
        WorkEntry.objects.filter(
            batch__isnull=True, villager__in=villagers, date__gte=month, date__lte=month_end
        ).update(batch=batch)
        batches += 1
        month = next_month
    _count(tally, "wage batches", batches, 0)


def _earlier_seasons(former, tasks, crews, table, rng, *, before, tally) -> list[WorkEntry]:
    """A spring or autumn season or two for each former worker, between the first season and ``before``.

    Their employment is recorded as ended; they have no work in the two detailed years.
    """
    seasons = [
        datetime.date(year, month, 1)
        for year in range(FIRST_SEASON.year, before.year + 1)
        for month in (3, 9)
        if datetime.date(year, month, 1) >= FIRST_SEASON
        and datetime.date(year, month, 1) + datetime.timedelta(days=91) < before
    ]
    if not seasons:
        return []
    entries, employments = [], []
    visitors = tasks["visitors"]
    for n, villager in enumerate(former):
        # The first former worker was there in the first season: the base's first work entry.
        first = 0 if n == 0 else rng.randrange(len(seasons))
        worked = seasons[first : first + (2 if n % 3 == 0 else 1)]
        ends = worked[-1] + datetime.timedelta(days=91)
        employments.append(
            Employment(
                villager=villager,
                role="花工",
                kind=EmploymentKind.SEASONAL,
                starts_on=worked[0],
                ends_on=ends,
            )
        )
        crew = rng.choice([c for c in crews if c.village_id == villager.household.group.village_id])
        for season in worked:
            for offset in range(91):
                day = season + datetime.timedelta(days=offset)
                if day.weekday() == 6 or rng.random() >= SEASON[day.month] * 0.4:
                    continue
                task = tasks[rng.choice(MONTH_TASKS[day.month])]
                if task == visitors:
                    task = tasks["weeding"]  # no visitors before the garden opened
                rate = _rate_on(table, task, Basis.DAY, day)
                entries.append(
                    WorkEntry(
                        date=day,
                        villager_id=villager.pk,
                        task=task,
                        crew=crew,
                        basis=Basis.DAY,
                        quantity=Decimal("1"),
                        rate=rate,
                        amount=_money(rate),
                    )
                )
    Employment.objects.bulk_create(employments)
    _count(tally, "employments", len(employments), 0)
    return entries


def _ensure_leases(households, rng, today, tally) -> None:
    leases = LandLease.objects.filter(household__in=households)
    if leases.exists():
        _count(tally, "land leases", 0, leases.count())
        _count(tally, "rent payments", 0, RentPayment.objects.filter(lease__in=leases).count())
        return
    lessors = households[::3][:60] + households[1::3][:60]
    weights = [rng.randint(5, 45) for _ in lessors]
    total = sum(weights)
    areas = [(LEASED_MU * w / total).quantize(CENT) for w in weights]
    areas[-1] += LEASED_MU - sum(areas)  # the leases cover exactly the base's 3,000 mu
    starts = datetime.date(2018, 1, 1)
    new = [
        LandLease(
            household=household,
            area_mu=area,
            rent_per_mu_year=RENT_PER_MU,
            starts_on=starts,
            ends_on=starts.replace(year=2038),
        )
        for household, area in zip(lessors, areas, strict=True)
    ]
    LandLease.objects.bulk_create(new)
    payments = []
    for year in range(today.year - 2, today.year + 1):
        paid_on = datetime.date(year, 1, 15)
        if paid_on > today:
            continue
        payments += [
            RentPayment(
                lease=lease,
                paid_on=paid_on,
                amount=_money(lease.area_mu * lease.rent_per_mu_year),
                reference=f"DEMO-RENT-{year}",
            )
            for lease in new
        ]
    RentPayment.objects.bulk_create(payments)
    _count(tally, "land leases", len(new), 0)
    _count(tally, "rent payments", len(payments), 0)
