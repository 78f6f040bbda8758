"""The demo workforce: the sizes the issue asks for, built fast, and a second run creates nothing."""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from tourism.management.commands.load_demo import Tally
from workforce.demo import ensure_workforce_demo
from workforce.models import (
    Household,
    LandLease,
    Village,
    Villager,
    WageBatch,
    WorkEntry,
)
from workforce.reports import impact_since_start, job_report


def test_demo_workforce_is_built_only_once(db):
    # How fast it builds is a benchmark's business, not a wall-clock test's.
    first = Tally()
    ensure_workforce_demo(first)
    assert Village.objects.count() == 3
    assert Household.objects.count() == 180
    assert Villager.objects.count() == 320
    assert LandLease.objects.aggregate(mu=Sum("area_mu"))["mu"] == Decimal("3000.00")
    assert WorkEntry.objects.count() > 20_000
    assert WageBatch.objects.count() >= 23
    assert all(name.startswith("演示") for name in Villager.objects.values_list("name", flat=True))
    assert all(n.startswith("9999") for n in Villager.objects.values_list("id_number", flat=True))

    second = Tally()
    ensure_workforce_demo(second)
    assert all(created == 0 for created, _present in second.rows.values())
    assert {kind: present for kind, (_c, present) in second.rows.items()} == {
        kind: created for kind, (created, _p) in first.rows.items()
    }

    today = timezone.localdate()
    year = job_report(start=today.replace(month=1, day=1), end=today).current
    assert year.employed > 100
    assert 30 <= year.poverty_share <= 60
    months = job_report(
        start=today.replace(year=today.year - 1, month=1, day=1),
        end=today.replace(year=today.year - 1, month=12, day=31),
    ).months
    by_month = {int(row.key[-2:]): row.person_days for row in months}
    assert by_month[4] > 2 * by_month[1]  # the spring peak

    # Since the first season the records give the reference park's published "more than 300".
    since = impact_since_start(today=today)
    assert since["since"] == WorkEntry.objects.order_by("date").values_list("date", flat=True)[0]
    assert since["employed"] == WorkEntry.objects.values("villager").distinct().count() > 300
    assert 0 < since["from_poverty_households"] < since["employed"]
