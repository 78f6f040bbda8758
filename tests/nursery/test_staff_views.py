"""Farm managers run the nursery in the admin; Officials and Gate staff can change nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from nursery import services
from nursery.models import Planting, Species, SpecimenTree, StockEntry, StockLot
from tests.tickets.factories import user_in_role
from workforce.models import Crew

from .factories import (
    CustomerFactory,
    SpeciesFactory,
    SupplierFactory,
    ZoneFactory,
    days_ago,
    make_lot,
)

pytestmark = pytest.mark.django_db


def url(name, args=()):
    """Pages in English, so assertions read the English source text whatever the catalog says."""
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
def lot():
    return make_lot(40, code="GH-40", unit_cost="30.00", sale_price=Decimal("80.00"), days=90)


def _write_urls(lot):
    tree = SpecimenTree.objects.create(tag="T900", species=lot.species)
    urls = [
        ("get", url("nursery_stock_record")),
        ("post", url("nursery_stock_record")),
        ("get", url("nursery_reserve")),
        ("post", url("nursery_reserve")),
        ("post", url("nursery_deliver")),
        ("get", url("nursery_import")),
        ("post", url("nursery_import")),
        ("get", url("nursery_field")),
        ("post", url("nursery_field")),
        ("get", url("wagtailsnippets_nursery_zone:add")),
        ("post", url("wagtailsnippets_nursery_zone:edit", args=[lot.zone_id])),
    ]
    for name, pk in [
        ("nursery_species", lot.species_id),
        ("nursery_supplier", SupplierFactory().pk),
        ("nursery_customer", CustomerFactory().pk),
        ("nursery_stocklot", lot.pk),
        ("nursery_specimentree", tree.pk),
    ]:
        urls += [
            ("get", url(f"{name}:add")),
            ("post", url(f"{name}:add")),
            ("post", url(f"{name}:edit", args=[pk])),
            ("post", url(f"{name}:delete", args=[pk])),
        ]
    return urls


@pytest.mark.parametrize("role", ["Officials", "Gate staff"])
def test_officials_and_gate_staff_get_403_on_every_nursery_write_view(client, lot, role):
    client.force_login(user_in_role(role))
    before = (StockEntry.objects.count(), StockLot.objects.count(), Species.objects.count())
    refused = []
    for method, address in _write_urls(lot):
        response = getattr(client, method)(address, {"lot": lot.pk, "kind": "loss", "quantity": 1})
        refused.append((address, response.status_code))
    assert all(code == 403 for _, code in refused), [r for r in refused if r[1] != 403]
    assert (StockEntry.objects.count(), StockLot.objects.count(), Species.objects.count()) == before


def test_ledger_logs_cannot_be_written_through_generic_admin_forms_even_by_managers(
    client, manager
):
    assert client.get(url("nursery_stockentry:add")).status_code == 403
    # A planting is added on its own page, through the planting service (not a model form).
    page = client.get(url("nursery_planting:add"))
    assert page.status_code == 200 and 'name="lot"' in page.content.decode()


def test_a_manager_sees_every_nursery_listing(client, manager, lot):
    for name in [
        "nursery_species",
        "nursery_supplier",
        "nursery_customer",
        "nursery_stocklot",
        "nursery_specimentree",
        "nursery_planting",
        "nursery_survivalcheck",
        "nursery_stockentry",
        "nursery_reservation",
        "nursery_acquisition",
        "nursery_acquisitionline",
        "nursery_measurement",
        "nursery_specimenphoto",
    ]:
        assert client.get(url(f"{name}:index")).status_code == 200, name
    response = client.get(url("nursery_stocklot:index"), {"export": "csv"})
    assert response.status_code == 200 and b"GH-40" in b"".join(response.streaming_content)


def test_a_lot_page_shows_its_ledger(client, manager, lot):
    services.stock_loss_record(lot=lot, quantity=3, occurred_at=days_ago(1), note="霜冻")
    response = client.get(url("nursery_stocklot:inspect", args=[lot.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "霜冻" in html and "-3" in html and ">37<" in html


def test_a_tree_page_shows_its_measurements_and_photos(client, manager, lot, make_image):
    tree = SpecimenTree.objects.create(tag="T1", species=lot.species, public=True)
    tree.measurements.create(
        measured_on=timezone.localdate(), stem_diameter_cm=Decimal("32"), height_cm=800
    )
    tree.photos.create(image=make_image("老桂花"), caption="移栽当天")
    html = client.get(url("nursery_specimentree:inspect", args=[tree.pk])).content.decode()
    assert "胸径32cm(1.3m) H800" in html and "移栽当天" in html


def test_a_manager_records_a_loss_and_an_overdraw_is_shown_on_the_form(client, manager, lot):
    address = url("nursery_stock_record")
    day = timezone.localdate().isoformat()
    response = client.post(
        address, {"lot": lot.pk, "kind": "loss", "quantity": 5, "occurred_on": day}
    )
    assert response.status_code == 302
    response = client.post(
        address, {"lot": lot.pk, "kind": "loss", "quantity": 99, "occurred_on": day}
    )
    assert response.status_code == 200
    assert "Lot GH-40 has 35 on hand on" in response.content.decode()
    lot.refresh_from_db()
    assert lot.on_hand == 35
    # Figures in the refusal read grouped, as the lot list shows them.
    response = client.post(
        address, {"lot": lot.pk, "kind": "loss", "quantity": 99999, "occurred_on": day}
    )
    assert "so 99,999 cannot be taken from it" in response.content.decode()


def test_a_manager_reserves_and_delivers(client, manager, lot):
    customer = CustomerFactory()
    response = client.post(
        url("nursery_reserve"), {"customer": customer.pk, "lot": lot.pk, "quantity": 50}
    )
    assert "only 40 available" in response.content.decode()
    client.post(url("nursery_reserve"), {"customer": customer.pk, "lot": lot.pk, "quantity": 10})
    reservation = lot.reservations.get()
    client.post(
        url("nursery_deliver"),
        {
            "reservation": reservation.pk,
            "quantity": 4,
            "delivered_on": timezone.localdate().isoformat(),
        },
    )
    lot.refresh_from_db()
    assert (lot.on_hand, lot.reserved) == (36, 6)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reports_render_and_export(client, manager, lot, fmt):
    planting = services.planting_record(
        planted_on=days_ago(40).date(), zone=ZoneFactory(), lot=lot, quantity=10
    )
    services.survival_check_record(
        check=planting.checks.get(months_after=1),
        checked_on=days_ago(5).date(),
        alive=8,
        weak=1,
        dead=1,
    )
    for name in ["stock", "availability", "plantings", "survival"]:
        address = url(f"nursery_{name}_report")
        assert client.get(address).status_code == 200, name
        response = client.get(address, {"export": fmt})
        assert response.status_code == 200, name
    stock = client.get(url("nursery_stock_report"), {"export": "csv"})
    body = b"".join(stock.streaming_content).decode()
    assert lot.species.name in body and "900.00" in body  # 30 on hand × ¥30
    survival = client.get(url("nursery_survival_report"), {"by": "zone"}).content.decode()
    assert "90.0" in survival


def test_officials_cannot_read_nursery_reports(client, lot):
    client.force_login(user_in_role("Officials"))
    response = client.get(url("nursery_stock_report"))
    assert response.status_code in (302, 403)


LOTS_CSV = """code,species,zone,quantity,unit_cost,received_on,grown,seedling_age_years,sale_price,stem_diameter_cm,stem_measured_at,height_cm,crown_cm,root_ball_diameter_cm,root_ball_depth_cm
IM-1,{sp},{zone},30,45.50,2025-03-01,field,4,120,8,1.0,350,200,60,45
IM-2,{sp},{zone},12,80,2025-03-02,container,,,,,,,,
"""


def test_csv_import_of_lots_previews_then_saves(client, manager):
    species, zone = SpeciesFactory(), ZoneFactory(code="N1")
    data = LOTS_CSV.format(sp=species.scientific_name, zone="N1").encode()
    address = url("nursery_import")
    response = client.post(
        address, {"kind": "lots", "dry_run": "on", "file": SimpleUploadedFile("lots.csv", data)}
    )
    assert response.status_code == 200 and "Every row is valid" in response.content.decode()
    assert StockLot.objects.count() == 0
    response = client.post(address, {"kind": "lots", "file": SimpleUploadedFile("lots.csv", data)})
    assert response.status_code == 302
    lot = StockLot.objects.get(code="IM-1")
    assert lot.on_hand == 30 and lot.spec_label == "米径8cm(1.0m) H350 P200 土球60×45"
    assert zone.lots.count() == 2


def test_csv_import_with_a_bad_row_saves_nothing_and_names_the_row(client, manager):
    species = SpeciesFactory()
    ZoneFactory(code="N1")
    data = (
        LOTS_CSV.format(sp=species.scientific_name, zone="N1")
        + "IM-3,Nope nope,N1,x,1,2025-13-01\n"
    ).encode()
    response = client.post(
        url("nursery_import"), {"kind": "lots", "file": SimpleUploadedFile("l.csv", data)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown species “Nope nope”" in html and "quantity: “x” is not a whole number." in html
    assert "1 row has errors; nothing was saved." in html
    assert StockLot.objects.count() == 0 and StockEntry.objects.count() == 0


def test_csv_import_of_specimen_trees(client, manager):
    species = SpeciesFactory()
    ZoneFactory(code="B2")
    data = io.StringIO()
    data.write(
        "tag,species,origin_province,origin_province_en,cost,zone,planted_on,public,story,story_en,stem_diameter_cm,height_cm\n"
    )
    data.write(
        f"T500,{species.name},浙江,Zhejiang,5200,B2,2020-12-20,yes,百年老树,A century old,35,900\n"
    )
    response = client.post(
        url("nursery_import"),
        {"kind": "trees", "file": SimpleUploadedFile("t.csv", data.getvalue().encode())},
    )
    assert response.status_code == 302
    tree = SpecimenTree.objects.get(tag="T500")
    assert tree.public and tree.measurements.get().height_cm == 900


def test_the_field_form_records_a_planting_and_shows_the_new_on_hand(client, manager, lot):
    Crew.objects.create(name="李组")
    zone = ZoneFactory(code="B2")
    response = client.post(
        url("nursery_field"),
        {
            "action": "planting",
            "p-zone": zone.pk,
            "p-lot": lot.pk,
            "p-quantity": 6,
            "p-planted_on": timezone.localdate().isoformat(),
            "p-crew": "李组",
        },
        follow=True,
    )
    assert "Lot GH-40 now has 34 on hand." in response.content.decode()
    assert Planting.objects.get().crew == "李组"


def test_the_field_form_shows_an_overdraw_as_a_form_error(client, manager, lot):
    response = client.post(
        url("nursery_field"),
        {
            "action": "planting",
            "p-zone": ZoneFactory().pk,
            "p-lot": lot.pk,
            "p-quantity": 41,
            "p-planted_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "GH-40" in response.content.decode() and Planting.objects.count() == 0


def test_the_field_form_records_a_survival_check(client, manager, lot):
    planting = services.planting_record(
        planted_on=days_ago(35).date(), zone=ZoneFactory(), lot=lot, quantity=5
    )
    check = planting.checks.get(months_after=1)
    response = client.post(
        url("nursery_field"),
        {
            "action": "check",
            "c-check": check.pk,
            "c-alive": 4,
            "c-weak": 0,
            "c-dead": 1,
            "c-checked_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.alive, check.dead) == (4, 1)


def test_the_field_forms_due_checks_say_when_which_planting_and_which_check(client, manager, lot):
    planted = days_ago(35).date()
    zone = ZoneFactory(code="B1")
    planting = services.planting_record(planted_on=planted, zone=zone, lot=lot, quantity=5)
    check = planting.checks.get(months_after=1)

    with translation.override("zh-hans"):
        page = client.get(reverse("nursery_field"), {"form": "check"}).content.decode()

    due, day = check.due_on, planted
    assert (
        f"{due.year}年{due.month}月{due.day}日到期：B1 {lot.species.name} × 5，"
        f"{day.year}年{day.month}月{day.day}日种植（种植后 1 个月核验）"
    ) in page
    assert "待核验" in page


def test_the_field_form_asks_anonymous_visitors_to_log_in(client):
    assert client.get(url("nursery_field")).status_code == 302


def test_the_field_form_keeps_a_photo_of_the_planting(client, manager, lot):
    from tests.conftest import image_file

    photo = image_file("planting.jpg", size=(640, 480))
    upload = SimpleUploadedFile("planting.jpg", photo.read(), content_type="image/jpeg")
    response = client.post(
        url("nursery_field"),
        {
            "action": "planting",
            "p-zone": ZoneFactory().pk,
            "p-lot": lot.pk,
            "p-quantity": 2,
            "p-planted_on": timezone.localdate().isoformat(),
            "p-photo": upload,
        },
    )
    assert response.status_code == 302
    assert Planting.objects.get().photo.width == 640


def test_the_field_form_refuses_a_future_date_and_a_bad_quantity(client, manager, lot):
    response = client.post(
        url("nursery_field"),
        {
            "action": "planting",
            "p-zone": ZoneFactory().pk,
            "p-lot": lot.pk,
            "p-quantity": "many",
            "p-planted_on": "2999-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The date cannot be in the future." in html and "Enter a whole number." in html
    assert Planting.objects.count() == 0


def test_the_reserve_and_deliver_forms_count_what_is_left(client):
    from nursery.forms import DeliveryForm, ReservationForm

    lot = make_lot(180, code="N1-GH-02")
    customer = CustomerFactory(name="绿城园林")
    services.reservation_create(customer=customer, lot=lot, quantity=40, project="滨江公园")
    open_one = services.reservation_create(customer=customer, lot=lot, quantity=60)
    services.reservation_deliver(reservation=open_one, quantity=20, delivered_at=timezone.now())

    lots = [label for value, label in ReservationForm().fields["lot"].choices if value]
    reservations = [label for value, label in DeliveryForm().fields["reservation"].choices if value]

    # 180 bought, 40 + 60 reserved, 20 of them delivered: 160 on hand, 80 reserved.
    (label,) = [label for label in lots if label.startswith("N1-GH-02")]
    assert label.endswith("(80)")
    assert sorted(reservations) == [
        "绿城园林 · N1-GH-02: 40 to deliver",
        "绿城园林 · 滨江公园 · N1-GH-02: 40 to deliver",
    ]
