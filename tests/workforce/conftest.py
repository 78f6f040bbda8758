"""The hand-built workforce used by the report tests: two villages, their crews, five villagers.

What makes it hard for a report, on purpose:
- 王一 (village A) works in crew A and in crew B of village B, on the period's first and last days,
  and twice on one day (a day's work and piece work);
- 李二's household becomes monitored (边缘易致贫户) in the middle of the period; he is a new hire;
- 张三's household becomes a hardship case the day after the period ends; she also works the days
  just before and just after it;
- 赵四 is employed but has no work entry in the period (only in the one before);
- 钱五 has no entries at all;
- household A3 has nobody working but is paid land rent in the period.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.tickets.factories import user_in_role
from tests.workforce.factories import (
    VillageFactory,
    VillagerFactory,
    employ,
    household_in,
    lease,
    task_with_rates,
    work,
)
from workforce import services
from workforce.models import Crew, EmploymentKind, PovertyStatus, Villager


@pytest.fixture(autouse=True)
def english_messages(settings):
    """Tests read figures and refusals in their English source text; the admin follows
    LANGUAGE_CODE, the rest the active language."""
    from django.urls import clear_url_caches
    from django.utils import translation

    # The URL resolver caches its reversals per language, prefixes included: clear them
    # on both sides so no address built while English was the default outlives the test.
    settings.LANGUAGE_CODE = "en"
    clear_url_caches()
    with translation.override("en"):
        yield
    clear_url_caches()


@pytest.fixture
def official(client, db):
    client.force_login(user_in_role("Officials"))
    return client


@pytest.fixture
def manager(client, db):
    client.force_login(user_in_role("Farm managers"))
    return client


Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


@pytest.fixture
def workforce(db):
    d = datetime.date
    a = VillageFactory(code="a", name="甲村")
    b = VillageFactory(code="b", name="乙村")
    crew_a = Crew.objects.create(name="甲村一队", village=a)
    crew_b = Crew.objects.create(name="乙村一队", village=b)
    planting = task_with_rates(day="100.00", hour="15.00", piece="0.50")
    weeding = task_with_rates(day="90.00", hour="12.00", piece="0.20")

    h_a1 = household_in(a, status=PovertyStatus.LIFTED, since=d(2016, 6, 1))
    h_a2 = household_in(a)
    services.household_status_set(household=h_a2, status=PovertyStatus.NONE, since=d(2015, 1, 1))
    services.household_status_set(
        household=h_a2, status=PovertyStatus.MARGINAL, since=d(2026, 5, 15)
    )
    h_a3 = household_in(a, status=PovertyStatus.LIFTED, since=d(2017, 1, 1))
    h_b1 = household_in(b)
    services.household_status_set(
        household=h_b1, status=PovertyStatus.HARDSHIP, since=d(2026, 7, 1)
    )
    h_b2 = household_in(b, status=PovertyStatus.UNSTABLE, since=d(2019, 1, 1))
    services.household_status_set(household=h_b2, status=PovertyStatus.NONE, since=d(2026, 5, 1))

    wang = VillagerFactory(household=h_a1, name="王一", gender="f", birth_year=1960)
    li = VillagerFactory(household=h_a2, name="李二", gender="m", birth_year=1990)
    zhang = VillagerFactory(household=h_b1, name="张三", gender="f", birth_year=2000)
    zhao = VillagerFactory(household=h_b2, name="赵四", gender="m", birth_year=1970)
    qian = VillagerFactory(household=h_a1, name="钱五", gender="m", birth_year=1985)

    employ(wang, starts_on=d(2019, 3, 1), kind=EmploymentKind.PERMANENT)
    employ(li, starts_on=d(2026, 4, 10), kind=EmploymentKind.SEASONAL)
    employ(zhang, starts_on=d(2025, 3, 1), kind=EmploymentKind.CASUAL)
    employ(zhao, starts_on=d(2025, 11, 1), ends_on=d(2026, 3, 31))

    work(wang, d(2026, 4, 1), planting, crew=crew_a)
    work(wang, d(2026, 4, 2), planting, crew=crew_b)
    work(wang, d(2026, 5, 20), weeding, crew=crew_b)
    work(wang, d(2026, 5, 20), planting, basis="piece", quantity="120", crew=crew_b)
    work(wang, d(2026, 6, 30), weeding, basis="hour", quantity="7.5", crew=crew_a)
    work(li, d(2026, 4, 10), planting, crew=crew_a)
    work(li, d(2026, 5, 16), planting, basis="piece", quantity="333", crew=crew_a)
    work(zhang, d(2026, 3, 31), weeding, crew=crew_b)
    work(zhang, d(2026, 6, 30), weeding, crew=crew_b)
    work(zhang, d(2026, 7, 1), weeding, crew=crew_b)
    work(zhao, d(2026, 1, 15), planting, crew=crew_b)
    work(zhao, d(2026, 2, 15), planting, basis="hour", quantity="8", crew=crew_b)

    services.rent_payment_record(
        lease=lease(h_a3), paid_on=d(2026, 4, 15), amount=Decimal("8000.00")
    )
    services.rent_payment_record(
        lease=lease(h_a1, area_mu="2.5"), paid_on=d(2026, 6, 30), amount=Decimal("2000.00")
    )
    services.rent_payment_record(
        lease=lease(h_b1, area_mu="4"), paid_on=d(2026, 7, 1), amount=Decimal("3200.00")
    )
    services.rent_payment_record(
        lease=lease(h_b2, area_mu="3"), paid_on=d(2026, 1, 10), amount=Decimal("2400.00")
    )
    return SimpleNamespace(
        a=a,
        b=b,
        crew_a=crew_a,
        crew_b=crew_b,
        planting=planting,
        weeding=weeding,
        households=SimpleNamespace(a1=h_a1, a2=h_a2, a3=h_a3, b1=h_b1, b2=h_b2),
        wang=wang,
        li=li,
        zhang=zhang,
        zhao=zhao,
        qian=qian,
        villagers=list(Villager.objects.all()),
    )
