"""Every followed family has a history in the admin, open to the roles that see the object.

Also: an import logs one entry, an order's status moves made by the services show
in its history. Pages are read in English (the user's preference).
"""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.log_actions import LogContext, log
from wagtail.models import ModelLogEntry

from core import history
from core.models import BulkWrite
from nursery import services as nursery_services
from nursery.models import Planting, SpecimenTree, StockLot
from tests.admin_sign_in import signed_in
from tests.nursery.factories import SpeciesFactory, ZoneFactory, make_lot
from tests.tickets.factories import SlotFactory, TicketTypeFactory, order_for
from tests.workforce.factories import (
    VillageFactory,
    VillagerFactory,
    employ,
    household_in,
    lease,
    task_with_rates,
)
from tourism.tickets import services as ticket_services
from tourism.tickets.models import Order, Slot
from workforce import services as workforce_services

pytestmark = pytest.mark.django_db

d = datetime.date


def page_of(client, url):
    response = client.get(url)
    return response.status_code, html.unescape(response.content.decode())


def entries_for(instance):
    return ModelLogEntry.objects.filter(
        content_type__model=instance._meta.model_name, object_id=str(instance.pk)
    )


def english_messages(instance) -> list[str]:
    with translation.override("en"):
        return [str(entry.message) for entry in entries_for(instance)]


# --- each family, each role ---------------------------------------------------------------


def _work_entry():
    task = task_with_rates()
    return workforce_services.work_entry_record(
        villager=VillagerFactory(), date=d(2026, 4, 1), task=task, basis="day", quantity=1
    )


def _wage_batch():
    _work_entry()
    return workforce_services.wage_batch_create(
        period_start=d(2026, 4, 1), period_end=d(2026, 4, 30)
    )


def _rate():
    return task_with_rates().rates.first()


def _stock_entry():
    return make_lot(10).entries.get()


FAMILIES = {
    "workforce_villager": lambda: VillagerFactory(),
    "workforce_household": lambda: household_in(VillageFactory()),
    "workforce_employment": lambda: employ(VillagerFactory(), starts_on=d(2026, 3, 1)),
    "workforce_rate": _rate,
    "workforce_workentry": _work_entry,
    "workforce_wagebatch": _wage_batch,
    "workforce_landlease": lambda: lease(household_in(VillageFactory())),
    "nursery_stocklot": lambda: make_lot(10),
    "nursery_stockentry": _stock_entry,
    "nursery_specimentree": lambda: SpecimenTree.objects.create(
        tag="T901", species=SpeciesFactory(), cost=Decimal("5200.00")
    ),
    "tourism_tickettype": lambda: TicketTypeFactory(),
    "tourism_slot": lambda: SlotFactory(),
    "tourism_order": lambda: order_for(SlotFactory(), {TicketTypeFactory(): 2}),
}

READERS = {
    "workforce": ["Farm managers", "Officials"],
    "nursery": ["Farm managers"],
    "tourism": ["Editors"],
}
REFUSED = {"workforce": "Gate staff", "nursery": "Officials", "tourism": "Officials"}


@pytest.mark.parametrize("viewset", FAMILIES)
def test_each_familys_history_is_open_to_its_readers_and_shows_its_entries(client, viewset):
    obj = FAMILIES[viewset]()
    messages = english_messages(obj)
    assert messages, "creating the object logs it"
    url = reverse(f"{viewset}:history", args=[obj.pk])
    app = viewset.split("_")[0]
    for role in READERS[app]:
        signed_in(client, role)
        status, page = page_of(client, url)
        assert status == 200, role
        assert all(message in page for message in messages), role
        # The listing links each row to its history.
        _status, listing = page_of(client, reverse(f"{viewset}:index"))
        assert url in listing, role
        client.logout()
    signed_in(client, REFUSED[app])
    status, page = page_of(client, url)
    assert status in (302, 403) and messages[0] not in page


# --- imports and orders ---------------------------------------------------------------------

LOTS_CSV = """code,species,zone,quantity,unit_cost,received_on
IM-1,{sp},N1,30,45.50,2025-03-01
IM-2,{sp},N1,12,80,2025-03-02
IM-3,{sp},N1,5,80,2025-03-02
"""


def test_an_import_logs_one_entry_naming_what_it_created(client):
    manager = signed_in(client, "Farm managers")
    species = SpeciesFactory()
    ZoneFactory(code="N1")
    before = ModelLogEntry.objects.count()
    data = LOTS_CSV.format(sp=species.scientific_name).encode()
    response = client.post(
        reverse("nursery_import"), {"kind": "lots", "file": SimpleUploadedFile("lots.csv", data)}
    )
    assert response.status_code == 302
    assert StockLot.objects.count() == 3
    # One entry for the whole import: none for each lot or its opening purchase.
    assert ModelLogEntry.objects.count() == before + 1
    run = BulkWrite.objects.get()
    status, page = page_of(client, reverse("core_bulkwrite:history", args=[run.pk]))
    assert status == 200
    assert "Created 3 stock lots in one go: IM-1, IM-2, IM-3" in page
    assert manager.get_username() in page
    # The bulk writes are listed in the reports for managers, and refused to others.
    _status, listing = page_of(client, reverse("core_bulkwrite:index"))
    assert "Import of stock lots" in listing
    signed_in(client, "Gate staff")
    assert client.get(reverse("core_bulkwrite:history", args=[run.pk])).status_code in (302, 403)


def test_a_dry_run_import_logs_nothing(client):
    signed_in(client, "Farm managers")
    species = SpeciesFactory()
    ZoneFactory(code="N1")
    before = ModelLogEntry.objects.count()
    data = LOTS_CSV.format(sp=species.scientific_name).encode()
    client.post(
        reverse("nursery_import"),
        {"kind": "lots", "dry_run": "on", "file": SimpleUploadedFile("l.csv", data)},
    )
    assert ModelLogEntry.objects.count() == before and not BulkWrite.objects.exists()


def test_an_orders_status_moves_by_the_services_show_in_its_history(client):
    editor = signed_in(client, "Editors")
    slot = SlotFactory(date=timezone.localdate() + datetime.timedelta(days=10))
    order = order_for(slot, {TicketTypeFactory(): 2})
    assert order.status == Order.Status.RESERVED
    ticket_services.order_cancel(order=order, user=editor)

    status, page = page_of(client, reverse("tourism_order:history", args=[order.pk]))
    assert status == 200
    with translation.override("en"):
        reserved, cancelled = str(Order.Status.RESERVED.label), str(Order.Status.CANCELLED.label)
    assert f"status: {reserved} → {cancelled}" in page
    row = page[page.index(f"status: {reserved} → {cancelled}") :]
    assert editor.get_username() in row[:2000]


def test_an_entry_is_the_one_wagtails_log_writes_and_an_unknown_action_is_refused():
    """The history writes entries itself, without Wagtail's per-entry validation: each field
    as ``wagtail.log_actions.log`` fills it, and an action the history cannot show refused."""
    order = order_for(SlotFactory(), {TicketTypeFactory(): 1})
    ours = ModelLogEntry.objects.for_instance(order).get(action=history.CREATE)
    theirs = log(order, history.CREATE, data=ours.data, content_changed=True)

    def fields(entry):
        return {
            f.attname: getattr(entry, f.attname)
            for f in ModelLogEntry._meta.concrete_fields
            if f.attname not in ("id", "uuid", "timestamp")
        }

    assert fields(ours) == fields(theirs)
    assert ours.label == str(order) and ours.content_type.model_class() is Order
    with pytest.raises(ValueError, match="not a registered log action"):
        history.log_change(order, before={}, after={"status": "paid"}, action="huagu.made_up")
    assert not ModelLogEntry.objects.filter(action="huagu.made_up").exists()


def test_a_lot_edited_in_the_admin_shows_from_and_to(client):
    signed_in(client, "Farm managers")
    lot = make_lot(10, unit_cost="25.00")
    new_zone = ZoneFactory(code="N9", name="九号地", name_en="Field nine")
    old_zone = lot.zone
    fields = {
        name: getattr(lot, name)
        for name in ("code", "grown", "unit_cost", "notes")
        if getattr(lot, name) is not None
    }
    response = client.post(
        reverse("nursery_stocklot:edit", args=[lot.pk]),
        {
            **{k: str(v) for k, v in fields.items()},
            "species": lot.species_id,
            "zone": new_zone.pk,
            "unit_cost": "27.50",
            "stem_measured_at": lot.stem_measured_at or "",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    status, page = page_of(client, reverse("nursery_stocklot:history", args=[lot.pk]))
    assert status == 200
    # Related objects are named as the editor read them (in English here).
    with translation.override("en"):
        assert f"zone: {old_zone} → {new_zone}" in page
    assert "unit cost" in page.lower() and "25.00 → 27.50" in page


def test_a_planting_of_specimen_trees_shows_where_each_tree_went(client):
    signed_in(client, "Farm managers")
    species = SpeciesFactory()
    old_zone, new_zone = ZoneFactory(code="A1"), ZoneFactory(code="B2")
    trees = [
        SpecimenTree.objects.create(tag=f"T{n}", species=species, zone=old_zone) for n in (7, 8)
    ]
    nursery_services.planting_record(
        planted_on=timezone.localdate(), zone=new_zone, specimens=trees
    )
    for tree in trees:
        status, page = page_of(client, reverse("nursery_specimentree:history", args=[tree.pk]))
        assert status == 200
        assert f"zone: {old_zone} → {new_zone}" in page


def test_opening_capacity_logs_one_entry_for_the_slots_it_made(client):
    editor = signed_in(client, "Editors")
    start = timezone.localdate() + datetime.timedelta(days=30)
    before = ModelLogEntry.objects.count()
    with LogContext(user=editor):
        ticket_services.slots_open(
            date_from=start,
            date_to=start + datetime.timedelta(days=13),
            weekdays=set(range(7)),
            first_entry=None,
            last_entry=None,
            every_minutes=None,
            capacity=100,
        )
    assert Slot.objects.count() == 14
    assert ModelLogEntry.objects.count() == before + 1
    run = BulkWrite.objects.get()
    status, page = page_of(client, reverse("core_bulkwrite:history", args=[run.pk]))
    assert status == 200
    assert "Created 14 entry slots in one go" in page and "and 4 more" in page
    assert editor.get_username() in page


def test_the_field_form_outside_the_admin_logs_its_changes_with_the_signed_in_user(client):
    manager = signed_in(client, "Farm managers")
    lot = make_lot(40, code="GH-41")
    response = client.post(
        reverse("nursery_field"),
        {
            "action": "planting",
            "p-zone": ZoneFactory(code="B7").pk,
            "p-lot": lot.pk,
            "p-quantity": 6,
            "p-planted_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    planting = Planting.objects.get()
    entry = entries_for(planting).get()
    assert entry.user == manager
    stock_entry = lot.entries.get(kind="planting")
    assert entries_for(stock_entry).get().user == manager
