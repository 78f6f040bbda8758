"""What managers trip on, fixed: reports that total and sort, an add-planting page, crews from the list,
a survival-check tab that says what is next; and every nursery XLSX reads as a report."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl.utils.cell import coordinate_to_tuple
from wagtail.users.models import UserProfile

from nursery import services
from nursery.models import Planting, StockEntry
from nursery.services import NurseryError
from tests.tickets.factories import user_in_role
from workforce.models import Crew

from .factories import SpeciesFactory, ZoneFactory, days_ago, make_lot

pytestmark = pytest.mark.django_db


def url(name, args=()):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def manager(client):
    user = user_in_role("Farm managers")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return user


@pytest.fixture
def stock():
    """Two species (named so the alphabet and the creation order disagree) in three zones."""
    zones = [ZoneFactory(code=code) for code in ("Z3", "Z1", "Z2")]
    yew = SpeciesFactory(name="红豆杉", scientific_name="Taxus chinensis")
    ginkgo = SpeciesFactory(name="银杏", scientific_name="Ginkgo biloba")
    lots = [
        make_lot(1200, unit_cost="2500.00", species=ginkgo, zone=zones[0], days=90),
        make_lot(30, unit_cost="99.99", species=yew, zone=zones[0], days=90),
        make_lot(7, unit_cost="1000.10", species=yew, zone=zones[1], days=90),
        make_lot(3, unit_cost="12.00", species=ginkgo, zone=zones[2], days=90),
    ]
    return lots


def sheet_of(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def table_of(sheet):
    """The rows from the headings down (the panes are frozen under them)."""
    first = coordinate_to_tuple(sheet.freeze_panes)[0] - 1
    return list(sheet.iter_rows(min_row=first))


def test_the_stock_report_runs_species_then_zone_and_totals_its_figures(client, manager, stock):
    html = client.get(url("nursery_stock_report")).content.decode()
    # By species name, then zone code; the totals row sums every lot's on hand and value.
    assert html.index("红豆杉") < html.index("银杏")
    on_hand = sum(lot.on_hand for lot in stock)
    value = sum(lot.on_hand * lot.unit_cost for lot in stock)
    assert on_hand == 1240 and value == Decimal("3010036.40")
    assert "<tfoot>" in html
    tfoot = html[html.index("<tfoot>") :]
    assert "Total" in tfoot and "1,240" in tfoot and "3,010,036.40" in tfoot
    assert "1,200" in html  # counts read with their separators too

    sheet = sheet_of(client.get(url("nursery_stock_report"), {"export": "xlsx"}))
    assert sheet["A1"].value == "Stock and valuation by species and zone"
    assert sheet["A2"].value == f"As of the end of {timezone.localdate().isoformat()}"
    rows = table_of(sheet)
    assert [c.value for c in rows[0]] == [
        "Species",
        "Scientific name",
        "Zone",
        "On hand",
        "Value (CNY)",
    ]
    body, totals = rows[1:-1], rows[-1]
    assert [(r[0].value, r[2].value.split()[0]) for r in body] == [
        ("红豆杉", "Z1"),
        ("红豆杉", "Z3"),
        ("银杏", "Z2"),
        ("银杏", "Z3"),
    ]
    assert totals[0].value == "Total" and totals[0].font.bold
    assert totals[3].value == on_hand and totals[3].number_format == "#,##0"
    assert Decimal(str(totals[4].value)) == value and totals[4].number_format == "#,##0.00"
    assert all(r[3].number_format == "#,##0" and r[4].number_format == "#,##0.00" for r in body)
    assert sheet.column_dimensions["E"].width >= len("3,010,036.40") + 2


def test_the_stock_report_as_of_a_past_day_says_so_at_the_top(client, manager, stock):
    day = (timezone.localdate() - datetime.timedelta(days=120)).isoformat()
    sheet = sheet_of(client.get(url("nursery_stock_report"), {"as_of": day, "export": "xlsx"}))
    assert sheet["A2"].value == f"As of the end of {day}"
    rows = [[c.value for c in row] for row in table_of(sheet)]
    assert len(rows) == 1, rows  # the lots came 90 days ago: headings only, no totals


def _checked_planting(lot, zone, quantity, alive, weak, dead):
    planting = services.planting_record(
        planted_on=days_ago(40).date(), zone=zone, lot=lot, quantity=quantity
    )
    services.survival_check_record(
        check=planting.checks.get(months_after=1),
        checked_on=days_ago(5).date(),
        alive=alive,
        weak=weak,
        dead=dead,
    )
    return planting


def test_the_survival_report_heads_its_first_column_by_what_it_groups_and_totals(
    client, manager, stock
):
    _checked_planting(stock[0], stock[1].zone, 100, 90, 5, 5)
    _checked_planting(stock[1], stock[0].zone, 20, 10, 2, 8)
    for by, heading in (("species", "Species"), ("supplier", "Supplier"), ("zone", "Zone")):
        html = client.get(url("nursery_survival_report"), {"by": by}).content.decode()
        table = html[html.index('<table class="listing') :]
        thead = table[: table.index("</thead>")]
        assert heading in thead and "Group" not in thead, by
        tfoot = html[html.index("<tfoot>") :]
        # (95 + 12) surviving of 120 planted: 89.2%.
        assert "120" in tfoot and "107" in tfoot and "89.2%" in tfoot, by
    sheet = sheet_of(client.get(url("nursery_survival_report"), {"by": "zone", "export": "xlsx"}))
    rows = table_of(sheet)
    assert rows[0][0].value == "Zone"
    totals = rows[-1]
    assert totals[0].value == "Total" and totals[2].value == 120 and totals[3].value == 107
    assert totals[4].number_format == "0.0%"
    assert Decimal(str(totals[4].value)) == Decimal("0.892")
    assert sheet["A2"].value == "By Zone; plantings checked at least once"


def test_plantings_by_month_total_their_plantings_and_plants(client, manager, stock):
    zone = stock[0].zone
    for days, quantity in ((40, 10), (41, 5), (75, 2)):
        services.planting_record(
            planted_on=days_ago(days).date(), zone=zone, lot=stock[0], quantity=quantity
        )
    html = client.get(url("nursery_plantings_report")).content.decode()
    assert "Number of plantings" in html
    tfoot = html[html.index("<tfoot>") :]
    assert "Total" in tfoot and ">3<" in tfoot and ">17<" in tfoot
    rows = table_of(sheet_of(client.get(url("nursery_plantings_report"), {"export": "xlsx"})))
    assert [c.value for c in rows[-1]][:3] == ["Total", 3, 17]
    assert sum(r[2].value for r in rows[1:-1]) == 17


def test_a_manager_adds_a_planting_in_the_admin_through_the_service(client, manager, stock):
    crew = Crew.objects.create(name="一队")
    lot, zone = stock[1], ZoneFactory(code="B9")
    for address in ("/admin/nursery/plantings/new/", "/admin/nursery/plantings/add/"):
        page = client.get(address)
        assert page.status_code == 200, address
        assert '<option value="一队">一队</option>' in page.content.decode()
    listing = client.get("/admin/nursery/plantings/").content.decode()
    assert "/admin/nursery/plantings/new/" in listing  # the listing offers the page

    response = client.post(
        "/admin/nursery/plantings/new/",
        {
            "planted_on": timezone.localdate().isoformat(),
            "zone": zone.pk,
            "lot": lot.pk,
            "quantity": 12,
            "crew": crew.name,
            "notes": "南坡",
        },
    )
    assert response.status_code == 302
    planting = Planting.objects.get()
    assert (planting.zone, planting.quantity, planting.crew) == (zone, 12, "一队")
    assert planting.checks.count() == 4  # the care year is scheduled, as by the field form
    lot.refresh_from_db()
    assert lot.on_hand == 18
    assert StockEntry.objects.filter(planting=planting, quantity=-12).exists()


def test_an_overdrawing_planting_is_refused_on_the_form_and_nothing_is_saved(
    client, manager, stock
):
    lot = stock[2]  # 7 on hand
    response = client.post(
        "/admin/nursery/plantings/add/",
        {
            "planted_on": timezone.localdate().isoformat(),
            "zone": lot.zone.pk,
            "lot": lot.pk,
            "quantity": 8,
        },
    )
    assert response.status_code == 200
    assert "7" in response.content.decode() and "error" in response.content.decode()
    assert Planting.objects.count() == 0
    lot.refresh_from_db()
    assert lot.on_hand == 7
    nothing = client.post("/admin/nursery/plantings/add/", {"zone": lot.zone.pk})
    assert nothing.status_code == 200 and Planting.objects.count() == 0


def test_officials_and_gate_staff_cannot_add_plantings(client, stock):
    for role in ("Officials", "Gate staff"):
        client.force_login(user_in_role(role))
        for method in ("get", "post"):
            response = getattr(client, method)("/admin/nursery/plantings/add/")
            assert response.status_code == 403, (role, method)
    assert Planting.objects.count() == 0


def test_the_plantings_list_shows_the_newest_first(client, manager, stock):
    zone = stock[0].zone
    made = {
        days: services.planting_record(
            planted_on=days_ago(days).date(), zone=zone, lot=stock[0], quantity=1
        ).pk
        for days in (50, 5, 20)
    }
    html = client.get("/admin/nursery/plantings/").content.decode()
    listed = list(dict.fromkeys(int(pk) for pk in re.findall(r"plantings/inspect/(\d+)/", html)))
    assert listed == [made[5], made[20], made[50]]


def test_a_planting_names_a_crew_from_the_list_or_none(stock):
    Crew.objects.create(name="一队")
    lot = stock[0]
    with pytest.raises(NurseryError, match="list of crews") as refused:
        services.planting_record(
            planted_on=timezone.localdate(), zone=lot.zone, lot=lot, quantity=1, crew="张组"
        )
    assert refused.value.field == "crew" and Planting.objects.count() == 0
    assert (
        services.planting_record(
            planted_on=timezone.localdate(), zone=lot.zone, lot=lot, quantity=1, crew="一队"
        ).crew
        == "一队"
    )


def test_the_field_form_offers_the_crews_and_refuses_another(client, manager, stock):
    Crew.objects.create(name="一队")
    page = client.get(url("nursery_field")).content.decode()
    assert '<select name="p-crew"' in page and '<option value="一队">一队</option>' in page
    response = client.post(
        url("nursery_field"),
        {
            "action": "planting",
            "p-zone": stock[0].zone.pk,
            "p-lot": stock[0].pk,
            "p-quantity": 1,
            "p-planted_on": timezone.localdate().isoformat(),
            "p-crew": "张组",
        },
    )
    assert response.status_code == 400 and Planting.objects.count() == 0


def test_the_check_tab_says_what_is_next_due_when_nothing_is_due(client, manager, stock):
    empty = client.get(url("nursery_field"), {"form": "check"}).content.decode()
    assert "No survival check is due today." in empty
    assert "No checks are scheduled" in empty

    planting = services.planting_record(
        planted_on=days_ago(10).date(), zone=stock[0].zone, lot=stock[0], quantity=4
    )
    due = planting.checks.get(months_after=1).due_on
    page = client.get(url("nursery_field"), {"form": "check"}).content.decode()
    assert "No survival check is due today." in page
    assert (
        f"Next due on {due.isoformat()}: the 1-month check of {planting.species.name} × 4 "
        f"in {planting.zone.code}, planted on {planting.planted_on.isoformat()}."
    ) in page
    assert 'name="c-check"' not in page

    planting.checks.filter(months_after=1).update(due_on=timezone.localdate())
    page = client.get(url("nursery_field"), {"form": "check"}).content.decode()
    assert 'name="c-check"' in page and "No survival check is due today." not in page


def test_the_plantings_menu_reads_as_records_in_chinese():
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        assert gettext("Plantings") == "种植记录"
        assert gettext("plantings") == "种植记录"
        assert gettext("Number of plantings") == "种植次数"
