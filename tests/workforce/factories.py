"""Test factories for the workforce: villages, households with a dated status, villagers, work."""

import datetime
from decimal import Decimal

import factory

from workforce import services
from workforce.models import (
    Crew,
    Employment,
    EmploymentKind,
    Household,
    LandLease,
    PovertyStatus,
    Rate,
    Task,
    Village,
    VillageGroup,
    Villager,
)


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    code = factory.Sequence(lambda n: f"v{n}")
    name = factory.Sequence(lambda n: f"演示村{n}")
    name_en = factory.Sequence(lambda n: f"Demo village {n}")


class VillageGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageGroup

    village = factory.SubFactory(VillageFactory)
    number = factory.Sequence(lambda n: n + 1)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"h{n:04d}")
    group = factory.SubFactory(VillageGroupFactory)
    head_name = factory.Sequence(lambda n: f"演示户主{n:03d}")


class VillagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Villager

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"演示村民{n:03d}")
    gender = Villager.Gender.FEMALE
    birth_year = 1975
    id_number = factory.Sequence(lambda n: f"51160219750101{n:04d}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    code = factory.Sequence(lambda n: f"task{n}")
    name = factory.Sequence(lambda n: f"栽植{n}")


def task_with_rates(*, day="100.00", hour="15.00", piece="0.50", since=datetime.date(2020, 1, 1)):
    """A task with a day, an hourly and a piece rate in effect from ``since``."""
    task = TaskFactory()
    for basis, amount in (("day", day), ("hour", hour), ("piece", piece)):
        Rate.objects.create(task=task, basis=basis, amount=Decimal(amount), effective_from=since)
    return task


def household_in(village: Village, *, status: str = PovertyStatus.NONE, since=None, **fields):
    group, _ = VillageGroup.objects.get_or_create(village=village, number=1)
    household = HouseholdFactory(group=group, **fields)
    if status != PovertyStatus.NONE or since:
        services.household_status_set(
            household=household, status=status, since=since or datetime.date(2016, 1, 1)
        )
    return household


def employ(villager, *, starts_on, kind=EmploymentKind.SEASONAL, ends_on=None, role="花工"):
    return Employment.objects.create(
        villager=villager, role=role, kind=kind, starts_on=starts_on, ends_on=ends_on
    )


def work(villager, date, task, *, basis="day", quantity="1", crew: Crew | None = None):
    return services.work_entry_record(
        villager=villager, date=date, task=task, basis=basis, quantity=Decimal(quantity), crew=crew
    )


def lease(household, *, area_mu="10", rent="800", starts_on=datetime.date(2020, 1, 1), years=10):
    return LandLease.objects.create(
        household=household,
        area_mu=Decimal(area_mu),
        rent_per_mu_year=Decimal(rent),
        starts_on=starts_on,
        ends_on=starts_on.replace(year=starts_on.year + years),
    )
