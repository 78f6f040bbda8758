"""The manager's zone map gives each zone the figures its reports give, and only to those
who may read the nursery's reports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core import geo
from nursery import services
from nursery.models import Planting, SpecimenTree, StockEntry, SurvivalCheck
from nursery.zone_map import NO_FIGURE, zone_map
from tests.tickets.factories import user_in_role

from .factories import SpeciesFactory, ZoneFactory, make_lot
from .map_fixtures import IN_A, ZONE_A, ZONE_B, draw_park

pytestmark = pytest.mark.django_db


def this_year_day(days_back: int) -> datetime.date:
    today = timezone.localdate()
    return max(today - datetime.timedelta(days=days_back), today.replace(month=1, day=1))


def record_first_check(planting, alive, weak):
    check = planting.checks.filter(checked_on=None).order_by("months_after").first()
    services.survival_check_record(
        check=check,
        checked_on=timezone.localdate(),
        alive=alive,
        weak=weak,
        dead=planting.quantity - alive - weak,
    )


@pytest.fixture
def park():
    """Zones A and B drawn, C not; plantings this year and last, some checked."""
    draw_park()
    a = ZoneFactory(code="A1", boundary=ZONE_A)
    b = ZoneFactory(code="B1", boundary=ZONE_B)
    c = ZoneFactory(code="C1")
    species = SpeciesFactory()
    lot_a = make_lot(500, unit_cost="20.00", days=700, zone=a, species=species)
    lot_b = make_lot(300, unit_cost="35.50", days=700, zone=b, species=species)
    make_lot(7, unit_cost="1000.00", days=10, zone=c, species=species)

    last_year = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=200)
    this_year = this_year_day(100)
    # Zone A: two plantings this year (checked: 40 of 50, 18 of 20) and one last year (checked 1 of 30).
    for quantity, alive, weak, day in (
        (50, 35, 5, this_year),
        (20, 18, 0, this_year),
        (30, 1, 0, last_year),
    ):
        record_first_check(
            services.planting_record(planted_on=day, zone=a, lot=lot_a, quantity=quantity),
            alive,
            weak,
        )
    # Zone B: one planting this year, never checked, and one checked: 9 of 12.
    services.planting_record(planted_on=this_year, zone=b, lot=lot_b, quantity=25)
    record_first_check(
        services.planting_record(planted_on=this_year, zone=b, lot=lot_b, quantity=12), 6, 3
    )
    SpecimenTree.objects.create(tag="T1", species=species, zone=a, location=IN_A)
    SpecimenTree.objects.create(
        tag="T2", species=species, zone=a, location=IN_A, status=SpecimenTree.Status.DEAD
    )
    return a, b, c


def expected_survival(zone):
    start = timezone.localdate().replace(month=1, day=1)
    planted = surviving = 0
    for planting in Planting.objects.filter(zone=zone, planted_on__gte=start):
        latest = planting.checks.exclude(checked_on=None).order_by("-months_after").first()
        if latest is None:
            continue
        planted += planting.quantity
        surviving += latest.alive + latest.weak
    return (Decimal(surviving) * 100 / planted).quantize(Decimal("0.1")) if planted else None


def expected_value(zone):
    total = sum(
        (e.quantity * e.unit_cost for e in StockEntry.objects.filter(lot__zone=zone)), Decimal(0)
    )
    return total.quantize(Decimal("0.01")) if total else None


def expected_checks(zone):
    count = SurvivalCheck.objects.filter(
        planting__zone=zone, checked_on=None, due_on__lte=timezone.localdate()
    ).count()
    return count or None


@pytest.mark.parametrize(
    ("measure", "expected"),
    [("survival", expected_survival), ("value", expected_value), ("checks", expected_checks)],
)
def test_each_zone_figure_equals_an_independent_count(park, measure, expected):
    zones = {z["code"]: z for z in zone_map(measure_key=measure)["zones"]}

    for zone in park:
        assert zones[zone.code]["figure"] == expected(zone), (measure, zone.code)


def test_the_figures_are_the_ones_worked_out_by_hand(park):
    survival = {z["code"]: z["figure"] for z in zone_map(measure_key="survival")["zones"]}
    # A: (40 + 18) of 70 this year; last year's 1 of 30 is not this year's. B: 9 of 12. C: none.
    assert survival == {"A1": Decimal("82.9"), "B1": Decimal("75.0"), "C1": None}
    value = {z["code"]: z["figure"] for z in zone_map(measure_key="value")["zones"]}
    assert value["C1"] == Decimal("7000.00")
    assert value["A1"] == Decimal(500 - 100) * 20


def test_colours_run_with_the_figures_and_a_zone_without_one_is_grey(park):
    data = zone_map(measure_key="survival")
    colours = {z["code"]: z["colour"] for z in data["zones"]}
    assert colours["C1"] == NO_FIGURE
    assert colours["A1"] != colours["B1"]
    assert [item["colour"] for item in data["legend"]][-1] == NO_FIGURE
    # Standing trees with a position are on the map; a dead one is not.
    assert [t["tag"] for t in data["trees"]] == ["T1"]
    assert data["trees"][0]["position"] == geo.point_of(IN_A)


def test_unknown_measure_falls_back_to_survival(park):
    assert zone_map(measure_key="<script>")["measure"].key == "survival"


def page(client, measure):
    with translation.override("en"):
        address = reverse("nursery_zone_map")
    return client.get(address, {"measure": measure})


@pytest.mark.parametrize("measure", ["survival", "value", "checks", "nonsense"])
def test_farm_managers_read_the_map_and_its_table(client, park, measure):
    client.force_login(user_in_role("Farm managers"))
    response = page(client, measure)

    assert response.status_code == 200
    html = response.content.decode()
    for zone in park:
        row = html.split(f'<tr data-zone="{zone.code}">')[1].split("</tr>")[0]
        assert reverse("wagtailsnippets_nursery_zone:edit", args=[zone.pk]) in row
        figure = next(z for z in response.context["zones"] if z["code"] == zone.code)
        assert f'<td class="zone-map__figure">{figure["figure_label"]}</td>' in row
    assert 'id="zone-map-data"' in html


def test_the_table_shows_stock_value_in_yuan(client, park):
    client.force_login(user_in_role("Farm managers"))
    html = page(client, "value").content.decode()
    row = html.split('<tr data-zone="C1">')[1].split("</tr>")[0]
    assert "¥7,000.00" in row


@pytest.mark.parametrize("role", ["Officials", "Gate staff", "Editors"])
def test_roles_that_cannot_read_nursery_reports_cannot_read_the_map(client, park, role):
    client.force_login(user_in_role(role))
    assert page(client, "survival").status_code == 403


def test_the_menu_offers_the_map_to_managers_only(client, park):
    client.force_login(user_in_role("Farm managers"))
    with translation.override("en"):
        address = reverse("nursery_zone_map")
    assert address in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(user_in_role("Officials"))
    assert address not in client.get(reverse("wagtailadmin_home")).content.decode()
