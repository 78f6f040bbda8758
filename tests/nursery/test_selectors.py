"""State derived from the ledger and the logs: as of any date, one query whatever the number of lots."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nursery import selectors, services
from tests.tickets.factories import user_in_role

from .factories import SpeciesFactory, SupplierFactory, ZoneFactory, days_ago, make_lot

pytestmark = pytest.mark.django_db


def test_on_hand_and_value_by_species_and_zone_as_of_a_past_date():
    species, zone = SpeciesFactory(), ZoneFactory()
    first = make_lot(10, unit_cost="5.00", days=20, species=species, zone=zone)
    make_lot(4, unit_cost="2.50", days=5, species=species, zone=zone)
    services.stock_loss_record(lot=first, quantity=3, occurred_at=days_ago(10))

    then = selectors.stock_by_species_and_zone(as_of=days_ago(15).date())
    now = selectors.stock_by_species_and_zone()

    assert [(r["species_id"], r["zone_id"], r["on_hand"], r["value"]) for r in then] == [
        (species.pk, zone.pk, 10, Decimal("50.00"))
    ]
    assert (now[0]["on_hand"], now[0]["value"]) == (11, Decimal("45.00"))
    assert selectors.stock_by_species()[0]["on_hand"] == 11
    assert selectors.stock_by_zone(as_of=days_ago(30).date()) == []


def test_each_stock_selector_is_one_query_however_many_lots():
    for n in range(12):
        make_lot(5 + n)
    for select in (
        selectors.stock_by_species_and_zone,
        selectors.stock_by_species,
        selectors.stock_by_zone,
    ):
        with CaptureQueriesContext(connection) as queries:
            select(as_of=timezone.localdate())
        assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        lots = list(selectors.lots_on_hand(as_of=timezone.localdate()))
        [(lot.species.name, lot.zone.code, lot.stock) for lot in lots]
    assert len(queries) == 1


def test_survival_and_retention_by_species_supplier_and_zone_count_replacements_apart():
    supplier = SupplierFactory()
    zone = ZoneFactory()
    species = SpeciesFactory()
    acquisition = services.acquisition_record(
        reference="A-1",
        supplier=supplier,
        acquired_on=timezone.localdate() - datetime.timedelta(days=500),
        transport_cost=Decimal("100"),
        lines=[
            services.AcquisitionLineInput(
                species=species, quantity=20, unit_price=Decimal("10"), lot_code="A1-L", zone=zone
            )
        ],
    )
    lot = acquisition.lines.get().lots.get()
    assert lot.unit_cost == Decimal("15.00")  # ¥10 + ¥100 transport spread over 20
    planted_on = timezone.localdate() - datetime.timedelta(days=400)
    planting = services.planting_record(planted_on=planted_on, zone=zone, lot=lot, quantity=10)
    assert planting.supplier == supplier
    three = planting.checks.get(months_after=3)
    services.survival_check_record(check=three, checked_on=three.due_on, alive=7, weak=1, dead=2)
    replacement = services.planting_record(
        planted_on=three.due_on, zone=zone, lot=lot, quantity=2, replaces=three
    )
    assert list(three.replacements.all()) == [replacement]
    with pytest.raises(services.NurseryError) as refused:
        services.planting_record(
            planted_on=three.due_on, zone=zone, lot=lot, quantity=1, replaces=three
        )
    assert "found 2 dead, 2 already replaced" in refused.value.message
    twelve = planting.checks.get(months_after=12)
    services.survival_check_record(check=twelve, checked_on=twelve.due_on, alive=7, weak=0, dead=3)

    for by in ("species", "supplier", "zone"):
        (row,) = selectors.survival_rates(by=by)
        assert (row["planted"], row["surviving"], row["survival_rate"]) == (10, 7, Decimal("70.0"))
        assert (row["retained_of"], row["retention_rate"]) == (10, Decimal("70.0"))


def test_the_stock_report_page_costs_the_same_queries_with_more_lots(client):
    manager = user_in_role("Farm managers")
    client.force_login(manager)
    make_lot(5)
    url = reverse("nursery_stock_report")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        make_lot(3 + n)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
