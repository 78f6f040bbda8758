"""The demo nursery: 200 specimen trees a little over ¥1,000,000, a year of checks, lots, customers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nursery import selectors
from nursery.demo import ensure_nursery_demo
from nursery.models import (
    Acquisition,
    Planting,
    Reservation,
    Species,
    SpecimenTree,
    StockLot,
    SurvivalCheck,
    Zone,
)
from tourism.demo.content import ZONES

pytestmark = pytest.mark.django_db


class Tally:
    def __init__(self):
        self.rows = {}

    def add(self, kind, created):
        self.rows.setdefault(kind, [0, 0])[0 if created else 1] += 1


@pytest.fixture
def zones():
    for z in ZONES:
        Zone.objects.get_or_create(
            code=z.code,
            defaults={"name": z.name.zh, "name_en": z.name.en, "area_mu": z.area_mu, "use": z.use},
        )


def test_the_demo_nursery_is_built_once_and_holds_the_december_2020_trees(zones):
    first = Tally()
    ensure_nursery_demo(first)
    assert Species.objects.count() >= 60
    assert SpecimenTree.objects.count() == 200
    assert SpecimenTree.objects.filter(zone__code="B2", planted_on__year=2020).count() == 200
    cost = SpecimenTree.objects.aggregate(total=Sum("cost"))["total"]
    acquisitions = Acquisition.objects.filter(acquired_on__year=2020, acquired_on__month=12)
    assert acquisitions.values("origin_province").distinct().count() >= 4
    assert Decimal("1000000") < cost < Decimal("1100000")
    landed = sum(line.landed_total for a in acquisitions for line in a.lines.all())
    assert landed == cost
    assert (
        SurvivalCheck.objects.filter(planting__zone__code="B2", checked_on__isnull=False).count()
        == 4 * Planting.objects.filter(zone__code="B2").count()
    )
    assert StockLot.objects.count() >= 25
    assert Reservation.objects.values("customer").distinct().count() == 2
    assert all(lot.on_hand >= lot.reserved for lot in StockLot.objects.all())
    assert selectors.survival_rates(by="supplier")
    assert first.rows["nursery specimen trees"] == [200, 0]
    # Checks fall due on the day the demo is loaded: the field form's check tab has work.
    due_today = selectors.checks_due(on=timezone.localdate()).filter(due_on=timezone.localdate())
    # (On the few days a year when a spring planting's own check falls due, none is added.)
    made = first.rows["nursery checks due today"][0]
    assert due_today.count() >= 1 and made in (0, 2)
    if made:
        assert {1, 3} <= set(due_today.values_list("months_after", flat=True))

    again = Tally()
    with CaptureQueriesContext(connection) as queries:
        ensure_nursery_demo(again)
    assert SpecimenTree.objects.count() == 200
    assert again.rows["nursery specimen trees"] == [0, 200]
    assert again.rows["nursery checks due today"] == [0, 1]
    assert len(queries) < 40
