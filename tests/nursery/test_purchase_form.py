"""A farm manager records a purchase in the admin; its landed cost reaches the new lot and trees."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from nursery.models import Acquisition, SpecimenMeasurement, SpecimenTree, StockLot
from tests.tickets.factories import user_in_role

from .factories import SpeciesFactory, SupplierFactory, ZoneFactory

pytestmark = pytest.mark.django_db
URL = "/admin/nursery/purchase/"


def _post(client, **lines):
    bought = timezone.localdate() - datetime.timedelta(days=3)
    data = {
        "reference": "HT-2026-001",
        "supplier": SupplierFactory().pk,
        "origin_province": "浙江",
        "acquired_on": bought.isoformat(),
        "transport_cost": "300.00",
        "crane_cost": "100.00",
        "root_ball_cost": "0",
        "allocation": Acquisition.Allocation.QUANTITY,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines.values()):
        data.update({f"lines-{index}-{key}": value for key, value in line.items()})
    return client.post(URL, data)


def test_a_manager_records_a_purchase_of_a_lot_and_two_tagged_trees(client):
    client.force_login(user_in_role("Farm managers"))
    species, zone = SpeciesFactory(), ZoneFactory(code="C1")

    response = _post(
        client,
        lot={
            "species": species.pk,
            "quantity": "6",
            "unit_price": "50.00",
            "lot_code": "C1-01",
            "zone": zone.pk,
            "height_cm": "180",
        },
        trees={
            "species": species.pk,
            "quantity": "2",
            "unit_price": "5000.00",
            "specimen_tags": "T901, T902",
        },
    )

    assert response.status_code == 302
    lot = StockLot.objects.get(code="C1-01")
    # ¥400 of transport and crane spread by quantity: 6/8 to the lot, ¥50 a seedling.
    assert lot.unit_cost == Decimal("100.00")
    assert lot.on_hand == 6
    assert sorted(SpecimenTree.objects.values_list("tag", flat=True)) == ["T901", "T902"]
    assert SpecimenTree.objects.get(tag="T901").cost == Decimal("5050.00")
    # What it cost in all: 6 × ¥50 + 2 × ¥5,000 + ¥400 of transport and crane.
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "¥10,700.00" in message


def test_tagged_trees_keep_the_zone_and_the_size_given_on_their_line(client):
    client.force_login(user_in_role("Farm managers"))
    species, zone = SpeciesFactory(), ZoneFactory(code="B2")

    response = _post(
        client,
        trees={
            "species": species.pk,
            "quantity": "3",
            "unit_price": "8000.00",
            "zone": zone.pk,
            "stem_diameter_cm": "25",
            "height_cm": "600",
            "specimen_tags": "RV-101, RV-102 RV-103",
        },
    )

    assert response.status_code == 302
    trees = SpecimenTree.objects.order_by("tag")
    assert [t.zone_id for t in trees] == [zone.pk] * 3
    bought = Acquisition.objects.get().acquired_on
    sizes = SpecimenMeasurement.objects.order_by("tree__tag")
    assert [(m.tree.tag, m.measured_on, m.stem_diameter_cm, m.height_cm) for m in sizes] == [
        (tag, bought, Decimal("25.0"), 600) for tag in ("RV-101", "RV-102", "RV-103")
    ]


def test_tagged_trees_without_a_size_get_no_measurement(client):
    client.force_login(user_in_role("Farm managers"))

    _post(
        client,
        trees={
            "species": SpeciesFactory().pk,
            "quantity": "1",
            "unit_price": "900",
            "specimen_tags": "RV-201",
        },
    )

    assert SpecimenTree.objects.get().zone is None
    assert not SpecimenMeasurement.objects.exists()


def test_a_line_without_lot_or_tags_is_refused_and_nothing_is_saved(client):
    client.force_login(user_in_role("Farm managers"))
    species = SpeciesFactory()

    response = _post(client, bad={"species": species.pk, "quantity": "3", "unit_price": "10"})

    assert response.status_code == 422
    errors = response.context_data["form"].non_field_errors()
    assert len(errors) == 1 and species.name in errors[0]
    assert not Acquisition.objects.exists()


def test_officials_may_not_record_a_purchase(client):
    client.force_login(user_in_role("Officials"))
    assert client.get(URL).status_code == 403
    assert reverse("nursery_acquisition_record") == URL
