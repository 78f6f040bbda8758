"""The nursery CSV import fed hostile values: never a 5xx, never a change, a message per column.

Each hostile value is put in one cell of an otherwise valid row, and the file goes through
the admin screen as a dry run and as a real import; the database must be exactly as before.
A property test checks that the dry run calls valid exactly what the import then saves.
"""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.users.models import UserProfile

from nursery import imports, services
from nursery.models import SpecimenMeasurement, SpecimenTree, StockEntry, StockLot
from tests.nursery.factories import SpeciesFactory, ZoneFactory, make_lot
from tests.tickets.factories import user_in_role

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
FAR_FUTURE = "9999-12-31"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def park():
    """A species, a zone and a lot and a tree already there, whose ids a hostile file may name."""
    species = SpeciesFactory(scientific_name="Ginkgo biloba", name="银杏")
    zone = ZoneFactory(code="N1")
    lot = make_lot(10, code="OLD-1", species=species, zone=zone)
    tree = SpecimenTree.objects.create(tag="OLD-T", species=species, zone=zone)
    return {"species": species, "zone": zone, "lot": lot, "tree": tree}


@pytest.fixture
def manager(client):
    user = user_in_role("Farm managers")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return user


def snapshot():
    """Everything an import could write, as it stands."""
    return {
        "lots": list(StockLot.objects.order_by("pk").values_list("pk", "code", "on_hand")),
        "entries": list(StockEntry.objects.order_by("pk").values_list("pk", "quantity")),
        "trees": list(SpecimenTree.objects.order_by("pk").values_list("pk", "tag")),
        "measurements": SpecimenMeasurement.objects.count(),
    }


def good_lot(**cells) -> dict:
    row = {
        "code": "NEW-1",
        "species": "Ginkgo biloba",
        "zone": "N1",
        "quantity": "20",
        "unit_cost": "35.50",
        "received_on": "2025-03-01",
        "grown": "field",
        "seedling_age_years": "4",
        "sale_price": "90",
        "stem_diameter_cm": "8",
        "stem_measured_at": "1.3",
        "height_cm": "300",
    }
    row.update(cells)
    return row


def good_tree(**cells) -> dict:
    row = {
        "tag": "NEW-T1",
        "species": "银杏",
        "origin_province": "浙江",
        "origin_province_en": "Zhejiang",
        "cost": "5200",
        "zone": "N1",
        "planted_on": "2020-12-20",
        "public": "yes",
        "story": "百年老树\n第二行",
        "story_en": "A century old",
        "stem_diameter_cm": "35",
        "height_cm": "900",
    }
    row.update(cells)
    return row


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(data: bytes, name="rows.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


# (column, hostile value, a fragment of the message the row must show). "{...}" is filled
# with an id of another object: the import looks rows up by name and code, never by id.
LOT_CASES = [
    ("code", "NEW\x00ONE", "holds control characters"),
    ("code", "NEW\x1b[31m", "holds control characters"),
    ("code", "L" * 41, "at most 40 characters"),
    ("code", "甲 乙", "is not a valid code"),
    ("code", "a/b", "is not a valid code"),
    ("code", "..", "is not a valid code"),
    ("code", "OLD-1", "is already used"),
    ("species", "{species_pk}", "Unknown species"),
    ("species", "{lot_pk}", "Unknown species"),
    ("zone", "{zone_pk}", "Unknown zone"),
    ("zone", "Ｎ１", "Unknown zone"),
    ("quantity", "NaN", "quantity: “NaN” is not a whole number"),
    ("quantity", "inf", "is not a whole number"),
    ("quantity", "1e3", "is not a whole number"),
    ("quantity", "１２", "is not a whole number"),
    ("quantity", "1_000", "is not a whole number"),
    ("quantity", "12.5", "is not a whole number"),
    ("quantity", "9" * 4500, "is not a whole number"),
    ("quantity", "-3", "out of range"),
    ("quantity", "yes", "is not a whole number"),
    ("unit_cost", "NaN", "unit_cost: “NaN” is not a number"),
    ("unit_cost", "sNaN", "is not a number"),
    ("unit_cost", "Infinity", "is not a number"),
    ("unit_cost", "-Infinity", "is not a number"),
    ("unit_cost", "1e999", "is not a number"),
    ("unit_cost", "１０", "is not a number"),
    ("unit_cost", "1,000", "is not a number"),
    ("unit_cost", "-1", "out of range"),
    ("unit_cost", "", "unit_cost is required"),
    ("sale_price", "nan", "is not a number"),
    ("received_on", "2025-02-30", "is not a date"),
    ("received_on", "2025-13-01", "is not a date"),
    ("received_on", "20250301", "is not a date"),
    ("received_on", "2025-03-01T00:00", "is not a date"),
    ("received_on", "２０２５-０３-０１", "is not a date"),
    ("received_on", "0001-01-01", "before 1900"),
    ("received_on", TOMORROW, "in the future"),
    ("received_on", FAR_FUTURE, "in the future"),
    ("received_on", "", "received_on is required"),
    ("grown", "ｆｉｅｌｄ", "grown must be field or container"),
    ("grown", "field\x07", "holds control characters"),
    ("seedling_age_years", "70000", "seedling_age_years: 70000 is out of range"),
    ("stem_diameter_cm", "123456", "stem_diameter_cm: Ensure that there are no more than"),
    ("stem_diameter_cm", "NaN", "is not a number"),
    ("stem_measured_at", "1.5", "stem_measured_at must be"),
    ("height_cm", "NaN", "is not a whole number"),
]

TREE_CASES = [
    ("tag", "银杏 01", "is not a valid code"),
    ("tag", "T/1", "is not a valid code"),
    ("tag", "T\t1", "holds control characters"),
    ("tag", "T" * 21, "at most 20 characters"),
    ("tag", ".hidden", "is not a valid code"),
    ("tag", "OLD-T", "is already used"),
    ("species", "{tree_pk}", "Unknown species"),
    ("zone", "{species_pk}", "Unknown zone"),
    ("origin_province", "浙" * 51, "origin_province: Ensure this value has at most 50"),
    ("origin_province", "浙江\x00", "holds control characters"),
    ("cost", "NaN", "cost: “NaN” is not a number"),
    ("cost", "inf", "is not a number"),
    ("cost", "1e9", "is not a number"),
    ("planted_on", "2020-12-32", "is not a date"),
    ("planted_on", "1899-12-31", "before 1900"),
    ("planted_on", FAR_FUTURE, "in the future"),
    ("public", "maybe", "public must be yes or no"),
    ("public", "ｙｅｓ", "public must be yes or no"),
    ("story", "百年\x00老树", "holds control characters"),
    ("story", "长" * 5001, "the text is too long"),
    ("story_en", "x\x08y", "holds control characters"),
    ("height_cm", "NaN", "is not a whole number"),
    ("stem_diameter_cm", "Infinity", "is not a number"),
]


def fill(value: str, park) -> str:
    return value.format(
        species_pk=park["species"].pk,
        zone_pk=park["zone"].pk,
        lot_pk=park["lot"].pk,
        tree_pk=park["tree"].pk,
    )


def case_id(case):
    column, value, _ = case
    return f"{column}={value[:12]!r}"


@pytest.mark.parametrize("column, value, message", LOT_CASES, ids=map(case_id, LOT_CASES))
def test_a_hostile_lot_cell_is_refused_by_the_dry_run_and_the_import(
    client, manager, park, column, value, message
):
    data = csv_bytes([good_lot(code="NEW-0"), good_lot(**{column: fill(value, park)})])
    before = snapshot()
    for dry_run in (True, False):
        result = imports.lots_import(file=upload(data), dry_run=dry_run)
        assert not result.valid and result.saved == 0
        assert result.rows[0].errors == []
        assert any(message in error for error in result.rows[1].errors), result.rows[1].errors
        assert snapshot() == before
    for dry_run in ({"dry_run": "on"}, {}):
        response = client.post(
            reverse("nursery_import"), {"kind": "lots", "file": upload(data), **dry_run}
        )
        assert response.status_code == 200
        assert "1 row has errors; nothing was saved." in response.content.decode()
        assert snapshot() == before


@pytest.mark.parametrize("column, value, message", TREE_CASES, ids=map(case_id, TREE_CASES))
def test_a_hostile_tree_cell_is_refused_by_the_dry_run_and_the_import(
    client, manager, park, column, value, message
):
    data = csv_bytes([good_tree(tag="NEW-T0"), good_tree(**{column: fill(value, park)})])
    before = snapshot()
    for dry_run in (True, False):
        result = imports.trees_import(file=upload(data), dry_run=dry_run)
        assert not result.valid and result.saved == 0
        assert result.rows[0].errors == []
        assert any(message in error for error in result.rows[1].errors), result.rows[1].errors
        assert snapshot() == before
    for dry_run in ({"dry_run": "on"}, {}):
        response = client.post(
            reverse("nursery_import"), {"kind": "trees", "file": upload(data), **dry_run}
        )
        assert response.status_code == 200
        assert "1 row has errors; nothing was saved." in response.content.decode()
        assert snapshot() == before


def test_the_good_rows_themselves_import(client, manager, park):
    """The baseline the hostile cases change one cell of: valid, and saved."""
    lots = csv_bytes([good_lot(code="NEW-0"), good_lot(code="银杏-苗.02")])
    trees = csv_bytes([good_tree(tag="NEW-T0"), good_tree(tag="银杏01")])
    assert imports.lots_import(file=upload(lots), dry_run=True).valid
    assert imports.trees_import(file=upload(trees), dry_run=True).valid
    assert StockLot.objects.count() == 1 and SpecimenTree.objects.count() == 1
    for kind, data in (("lots", lots), ("trees", trees)):
        response = client.post(reverse("nursery_import"), {"kind": kind, "file": upload(data)})
        assert response.status_code == 302
    assert StockLot.objects.get(code="银杏-苗.02").on_hand == 20
    assert SpecimenTree.objects.get(tag="银杏01").story == "百年老树\n第二行"


HEADER = b"HEADER\n"
HOSTILE_FILES = [
    ("not UTF-8", "栗子".encode("gb18030") + b",x\n", "not UTF-8 text"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not UTF-8 text"),
    ("empty", b"", "The submitted file is empty"),
    ("no header", b"a,b,c\n", "Missing columns"),
    ("header only", HEADER, "The file has no rows"),
    ("a cell over the csv limit", HEADER + b"x" * 200_000 + b",a,b\n", "cannot be read as CSV"),
    ("too large", HEADER + b"a,b,c\n" * 1_000_000, "The file is too large"),
    ("too many rows", HEADER + b"a,b,c\n" * (imports.MAX_ROWS + 1), "At most 5000 rows"),
]


@pytest.mark.parametrize(
    "data, message", [c[1:] for c in HOSTILE_FILES], ids=[c[0] for c in HOSTILE_FILES]
)
@pytest.mark.parametrize("kind", ["lots", "trees"])
def test_a_hostile_file_gets_a_message_and_saves_nothing(
    client, manager, park, kind, data, message
):
    columns = imports.LOT_COLUMNS if kind == "lots" else imports.TREE_COLUMNS
    data = data.replace(HEADER, ",".join(columns[:3]).encode() + b"\n", 1)
    before = snapshot()
    for dry_run in ({"dry_run": "on"}, {}):
        response = client.post(
            reverse("nursery_import"), {"kind": kind, "file": upload(data), **dry_run}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert snapshot() == before


def test_ragged_rows_and_unknown_columns_do_not_break_the_import(client, manager, park):
    data = (
        b"code,species,zone,quantity,unit_cost,received_on,surprise\n"
        b"R-1,Ginkgo biloba,N1,5,10,2025-03-01,x,extra,cells\n"
        b"R-2,Ginkgo biloba\n"
    )
    before = snapshot()
    response = client.post(reverse("nursery_import"), {"kind": "lots", "file": upload(data)})
    assert response.status_code == 200
    assert "quantity is required." in response.content.decode()
    assert snapshot() == before


def test_an_unknown_kind_is_a_form_error(client, manager, park):
    response = client.post(
        reverse("nursery_import"), {"kind": "villagers", "file": upload(csv_bytes([good_lot()]))}
    )
    assert response.status_code == 200 and snapshot()["lots"] == [(park["lot"].pk, "OLD-1", 10)]


def test_a_refusal_only_the_save_can_see_is_reported_by_the_dry_run(park, monkeypatch):
    """The dry run goes through the save itself, so a refusal from the ledger or the database
    (a rule no cell check knows about) shows in the preview, and still nothing is saved."""
    before = snapshot()

    def refuse(**kwargs):
        raise services.NurseryError("Refused by the ledger.")

    monkeypatch.setattr(services, "lot_create", refuse)
    result = imports.lots_import(file=upload(csv_bytes([good_lot()])), dry_run=True)
    assert not result.valid and result.rows[0].errors == ["Refused by the ledger."]
    monkeypatch.undo()

    def break_database(objects, **kwargs):
        raise IntegrityError("CHECK constraint failed: a rule only the database knows")

    monkeypatch.setattr(SpecimenMeasurement.objects, "bulk_create", break_database)
    result = imports.trees_import(file=upload(csv_bytes([good_tree()])), dry_run=True)
    assert not result.valid
    assert "a rule only the database knows" in " ".join(result.errors)
    assert snapshot() == before


# Cells drawn from everything above plus arbitrary text: whatever the dry run says, the
# import does: valid means saved, refused means refused with nothing saved.
hostile_text = st.one_of(
    st.sampled_from([value for _, value, _ in LOT_CASES if "{" not in value]),
    st.text(max_size=30),
    st.from_regex(r"-?[0-9]{1,8}(\.[0-9]{1,3})?", fullmatch=True),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.dictionaries(
        st.sampled_from(
            ["code", "quantity", "unit_cost", "received_on", "grown", "stem_diameter_cm"]
        ),
        hostile_text,
        max_size=3,
    )
)
def test_what_the_dry_run_calls_valid_the_import_saves(cells):
    with transaction.atomic():
        SpeciesFactory(scientific_name="Ginkgo biloba", name="银杏")
        ZoneFactory(code="N1")
        data = csv_bytes([good_lot(**cells)])
        dry = imports.lots_import(file=upload(data), dry_run=True)
        assert StockLot.objects.count() == 0
        real = imports.lots_import(file=upload(data), dry_run=False)
        assert dry.valid == real.valid, (dry.rows[0].errors, real.rows[0].errors, real.errors)
        assert real.saved == (1 if dry.valid else 0) == StockLot.objects.count()
        transaction.set_rollback(True)
