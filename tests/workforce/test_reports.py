"""Each figure of ``job_report`` against a computation written independently, in plain Python.

The independent side reads every row with ``.all()`` and works out the figures by loops
and sets, from the definitions printed on the report, without any of the report's queries.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workforce.conftest import Q2
from tests.workforce.factories import VillagerFactory, employ, task_with_rates, work
from workforce.models import (
    Employment,
    HouseholdStatus,
    RentPayment,
    Villager,
    WorkEntry,
)
from workforce.reports import job_report, period_bounds, previous_period

CENT = Decimal("0.01")
POOR = {"lifted", "unstable", "marginal", "hardship"}


def q(value, places=CENT):
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def status_on(household_id, day):
    statuses = sorted(
        (s for s in HouseholdStatus.objects.all() if s.household_id == household_id),
        key=lambda s: s.since,
    )
    current = "none"
    for s in statuses:
        if s.since <= day:
            current = s.status
    return current


def kind_on(villager_id, day):
    employments = sorted(
        (
            e
            for e in Employment.objects.all()
            if e.villager_id == villager_id and e.starts_on <= day
        ),
        key=lambda e: (e.starts_on, e.pk),
    )
    return employments[-1].kind if employments else "unrecorded"


def age_band(age):
    return "16–29" if age < 30 else "30–44" if age < 45 else "45–59" if age < 60 else "60+"


def expected(start, end, village=None, fte_days=250):
    """Every figure of the report, worked out by hand."""
    villagers = {v.pk: v for v in Villager.objects.select_related("household__group__village")}

    def in_village(villager):
        return village is None or villager.household.group.village.code == village

    entries = [
        e
        for e in WorkEntry.objects.all()
        if start <= e.date <= end and in_village(villagers[e.villager_id])
    ]
    employed = {e.villager_id for e in entries}
    days = {(e.villager_id, e.date) for e in entries}
    wages = sum((e.amount for e in entries), Decimal("0"))
    poor = {pk for pk in employed if status_on(villagers[pk].household_id, end) in POOR}
    first_start = {}
    for e in Employment.objects.all():
        if in_village(villagers[e.villager_id]):
            first_start[e.villager_id] = min(
                first_start.get(e.villager_id, e.starts_on), e.starts_on
            )
    new_hires = {pk for pk, first in first_start.items() if start <= first <= end}
    rent_by_household = defaultdict(Decimal)
    for p in RentPayment.objects.select_related("lease__household__group__village"):
        household = p.lease.household
        if start <= p.paid_on <= end and (
            village is None or household.group.village.code == village
        ):
            rent_by_household[household.pk] += p.amount
    rent = sum(rent_by_household.values(), Decimal("0"))
    households = {villagers[pk].household_id for pk in employed} | set(rent_by_household)

    def group_by(key):
        groups = defaultdict(lambda: {"employed": 0, "person_days": 0, "wages": Decimal("0")})
        for pk in employed:
            groups[key(villagers[pk])]["employed"] += 1
        for villager_id, _day in days:
            groups[key(villagers[villager_id])]["person_days"] += 1
        for e in entries:
            groups[key(villagers[e.villager_id])]["wages"] += e.amount
        return {k: {**v, "wages": q(v["wages"])} for k, v in groups.items()}

    months = defaultdict(lambda: {"employed": set(), "person_days": 0, "wages": Decimal("0")})
    for villager_id, day in days:
        months[day.strftime("%Y-%m")]["person_days"] += 1
        months[day.strftime("%Y-%m")]["employed"].add(villager_id)
    for e in entries:
        months[e.date.strftime("%Y-%m")]["wages"] += e.amount

    return {
        "figures": {
            "employed": len(employed),
            "from_poverty_households": len(poor),
            "poverty_share": q(Decimal(len(poor) * 100) / len(employed), Decimal("0.1"))
            if employed
            else q(0, Decimal("0.1")),
            "new_hires": len(new_hires),
            "person_days": len(days),
            "fte": q(Decimal(len(days)) / fte_days),
            "wages": q(wages),
            "wages_per_worker": q(wages / len(employed)) if employed else q(0),
            "land_rent": q(rent),
            "households_benefiting": len(households),
            "income_per_household": q((wages + rent) / len(households)) if households else q(0),
        },
        "breakdowns": {
            "village": group_by(lambda v: v.household.group.village.code),
            "gender": group_by(lambda v: v.gender),
            "age_band": group_by(lambda v: age_band(end.year - v.birth_year)),
            "employment_type": group_by(lambda v: kind_on(v.pk, end)),
            "poverty_status": group_by(lambda v: status_on(v.household_id, end)),
        },
        "months": {
            k: {
                "employed": len(v["employed"]),
                "person_days": v["person_days"],
                "wages": q(v["wages"]),
            }
            for k, v in months.items()
        },
    }


def figures_of(report):
    return {k: v for k, v in vars(report.current).items()}


def breakdowns_of(report):
    return {
        name: {
            row.key: {"employed": row.employed, "person_days": row.person_days, "wages": row.wages}
            for row in rows
            if row.employed
        }
        for name, rows in report.breakdowns.items()
    }


PERIODS = [
    pytest.param(*Q2, None, id="quarter, all villages"),
    pytest.param(*Q2, "a", id="quarter, village A"),
    pytest.param(*Q2, "b", id="quarter, village B"),
    pytest.param(*period_bounds("month", 2026, 5), None, id="May"),
    pytest.param(*period_bounds("quarter", 2026, 1), None, id="previous quarter"),
    pytest.param(*period_bounds("year", 2026), None, id="year"),
    pytest.param(*period_bounds("income_year", 2026), "b", id="income year, village B"),
    pytest.param(datetime.date(2026, 3, 31), datetime.date(2026, 4, 1), None, id="custom 2 days"),
    pytest.param(datetime.date(2027, 1, 1), datetime.date(2027, 1, 31), None, id="no work at all"),
]


@pytest.mark.parametrize(("start", "end", "village"), PERIODS)
def test_every_figure_equals_the_independent_computation(workforce, start, end, village):
    report = job_report(start=start, end=end, village=village)
    want = expected(start, end, village)
    assert figures_of(report) == want["figures"]
    assert breakdowns_of(report) == want["breakdowns"]
    assert {
        row.key: {"employed": row.employed, "person_days": row.person_days, "wages": row.wages}
        for row in report.months
        if row.employed
    } == want["months"]


@pytest.mark.parametrize(("start", "end", "village"), PERIODS)
def test_previous_period_figures_equal_the_report_of_that_period(workforce, start, end, village):
    report = job_report(start=start, end=end, village=village)
    before = expected(report.previous_start, report.previous_end, village)
    assert figures_of(job_report(start=start, end=end, village=village)) == figures_of(report)
    assert vars(report.previous) == before["figures"]


def test_the_quarter_counts_what_the_hand_built_cases_say(workforce):
    report = job_report(start=Q2[0], end=Q2[1]).current
    # 王一, 李二, 张三: 赵四 only worked the quarter before, 钱五 never.
    assert report.employed == 3
    # 王一 (脱贫户) and 李二 (monitored from 15 May); 张三's hardship starts the day after the end.
    assert report.from_poverty_households == 2
    assert report.poverty_share == Decimal("66.7")
    # 王一: 1 Apr, 2 Apr, 20 May (two entries, one day), 30 Jun; 李二: 2 days; 张三: 30 Jun.
    assert report.person_days == 7
    assert report.fte == Decimal("0.03")
    assert report.new_hires == 1
    # 100 + 100 + 90 + 120 × 0.50 + 7.5 × 12 | 100 + 333 × 0.50 | 90
    assert report.wages == Decimal("440.00") + Decimal("266.50") + Decimal("90.00")
    assert report.land_rent == Decimal("10000.00")
    # A1 (王一, rent), A2 (李二), A3 (rent only), B1 (张三).
    assert report.households_benefiting == 4
    assert report.income_per_household == Decimal("2699.13")


def test_a_villager_in_two_villages_crews_counts_once_in_his_own_village(workforce):
    report = job_report(start=Q2[0], end=Q2[1], village="b")
    assert report.current.employed == 1  # 张三 only; 王一 of village A worked in crew B
    village_rows = {
        row.key: row.employed for row in job_report(start=Q2[0], end=Q2[1]).breakdowns["village"]
    }
    assert village_rows == {"a": 2, "b": 1}


def test_status_that_changes_inside_the_period_is_taken_on_its_last_day(workforce):
    before = job_report(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 5, 14))
    assert before.current.employed == 2
    assert before.current.from_poverty_households == 1  # 李二's household not yet monitored
    after = job_report(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 5, 15))
    assert after.current.from_poverty_households == 2


def test_fte_days_are_configurable_and_stated(workforce, settings):
    settings.WORKFORCE_FTE_DAYS = 7
    report = job_report(start=Q2[0], end=Q2[1])
    assert report.current.fte == Decimal("1.00")
    assert "7" in report.as_dict()["definitions"]["fte"]


def test_breakdowns_add_up_to_the_totals(workforce):
    report = job_report(start=Q2[0], end=Q2[1])
    for rows in report.breakdowns.values():
        assert sum(r.employed for r in rows) == report.current.employed
        assert sum(r.person_days for r in rows) == report.current.person_days
        assert sum(r.wages for r in rows) == report.current.wages


def test_previous_period_of_whole_months_and_of_days():
    d = datetime.date
    assert previous_period(d(2026, 1, 1), d(2026, 12, 31)) == (d(2025, 1, 1), d(2025, 12, 31))
    assert previous_period(d(2026, 3, 1), d(2026, 3, 31)) == (d(2026, 2, 1), d(2026, 2, 28))
    assert previous_period(d(2025, 10, 1), d(2026, 9, 30)) == (d(2024, 10, 1), d(2025, 9, 30))
    assert previous_period(d(2026, 3, 10), d(2026, 3, 19)) == (d(2026, 2, 28), d(2026, 3, 9))


def test_report_queries_stay_constant_as_the_data_grows(workforce):
    with CaptureQueriesContext(connection) as small:
        job_report(start=Q2[0], end=Q2[1])
    task = task_with_rates()
    for n in range(40):
        villager = VillagerFactory(household=workforce.households.a2)
        employ(villager, starts_on=datetime.date(2026, 4, 1))
        work(villager, datetime.date(2026, 4, 1 + n % 28), task)
    with CaptureQueriesContext(connection) as large:
        job_report(start=Q2[0], end=Q2[1])
    assert len(large.captured_queries) == len(small.captured_queries) <= 16


def test_months_cover_the_whole_period_even_without_work(workforce):
    report = job_report(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
    assert [row.key for row in report.months] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert report.months[7].employed == 0
