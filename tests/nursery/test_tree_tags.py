"""What a tree tag or lot code may be: Chinese tags are served and linked; a bad tag never breaks a page.

The rule lives in ``nursery/validators.py`` and on the model fields; the admin forms, the
purchase form, the services and the import refuse what it refuses, and the public URL
converter matches exactly what it accepts. A tag saved around the rule (``.update()``)
is logged and listed without a link, on every page that lists trees, in both languages.
"""

import datetime
import io
import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from wagtail.users.models import UserProfile

from nursery import imports, services
from nursery.models import Acquisition, SpecimenTree, StockLot
from nursery.validators import validate_code
from tests.tickets.factories import user_in_role

from .factories import SpeciesFactory, SupplierFactory, ZoneFactory, make_lot

pytestmark = pytest.mark.django_db

GOOD = ["T001", "银杏01", "古树-罗汉松_2.a", "9", "Ä-ö", "桂花"]
BAD = [
    "银杏 01",
    "T/1",
    "T\\1",
    "",
    " T1",
    "T1 ",
    ".",
    "..",
    "-T1",
    "_T1",
    "T?1",
    "T#1",
    "T\x001",
    "T%201",
]


def url(name, args=(), language="en"):
    with translation.override(language):
        return reverse(name, args=args)


@pytest.fixture
def manager(client):
    user = user_in_role("Farm managers")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return user


@pytest.mark.parametrize("tag", GOOD)
def test_the_rule_accepts_letters_of_any_script_digits_and_dash_underscore_dot(tag):
    validate_code(tag)
    assert url("nursery_tree_detail", [tag]).startswith("/en/trees/")


@pytest.mark.parametrize("tag", BAD)
def test_the_rule_refuses_spaces_slashes_control_characters_and_path_steps(tag):
    with pytest.raises(ValidationError):
        validate_code(tag)


@pytest.fixture
def public_trees(site_tree):
    species = SpeciesFactory(name="银杏", name_en="Ginkgo", scientific_name="Ginkgo biloba")
    chinese = SpecimenTree.objects.create(
        tag="银杏01", species=species, zone=site_tree.zone, public=True, story="千年银杏"
    )
    broken = SpecimenTree.objects.create(
        tag="T002", species=species, zone=site_tree.zone, public=True
    )
    return chinese, broken


def test_a_chinese_tag_is_served_and_linked_in_both_languages(client, site_tree, public_trees):
    chinese, _ = public_trees
    for language in ("zh-hans", "en"):
        address = url("nursery_tree_detail", [chinese.tag], language)
        assert client.get(address).status_code == 200
        assert client.get(address + "label/").status_code == 200
        for listing in (
            url("nursery_tree_list", language=language),
            (site_tree.zh if language == "zh-hans" else site_tree.en).attraction.url,
        ):
            html = client.get(listing).content.decode()
            assert f'href="{address}"' in html, listing
    # The address a phone's browser sends, percent-encoded UTF-8, reaches the passport too.
    assert client.get("/trees/%E9%93%B6%E6%9D%8F01/").status_code == 200


@pytest.mark.parametrize("bad_tag", ["银杏 02", "A/B", "..", "T\t2"])
def test_a_bad_tag_saved_around_the_rule_is_logged_and_listed_without_a_link(
    client, site_tree, public_trees, caplog, bad_tag
):
    _, broken = public_trees
    SpecimenTree.objects.filter(pk=broken.pk).update(tag=bad_tag)
    pages = [
        url("nursery_tree_list", language="zh-hans"),
        url("nursery_tree_list", language="en"),
        site_tree.zh.attraction.url,
        site_tree.en.attraction.url,
    ]
    for page, name in zip(pages, ["银杏", "Ginkgo", "银杏", "Ginkgo"], strict=True):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="nursery.models"):
            response = client.get(page)
        html = response.content.decode()
        assert response.status_code == 200, page
        # The good tree keeps its link; the bad one is listed, by name, without one.
        assert f"{name} · 银杏01</a>" in html, page
        assert f"{name} · {escape(bad_tag)}" in html, page
        assert f"{name} · {escape(bad_tag)}</a>" not in html, page
        records = [r for r in caplog.records if r.name == "nursery.models"]
        assert records and repr(bad_tag) in records[0].getMessage(), page


def test_the_admin_inspect_view_of_a_bad_tag_answers_200(client, manager, public_trees):
    _, broken = public_trees
    SpecimenTree.objects.filter(pk=broken.pk).update(tag="银杏 02")
    response = client.get(url("nursery_specimentree:inspect", [broken.pk]))
    assert response.status_code == 200
    assert ">Printable label</a>" not in response.content.decode()


def test_the_admin_tree_and_lot_forms_refuse_a_bad_code(client, manager):
    species, zone = SpeciesFactory(), ZoneFactory(code="K1")
    response = client.post(
        url("nursery_specimentree:add"),
        {"tag": "银杏 02", "species": species.pk, "cost": "0", "status": "healthy"},
    )
    assert response.status_code == 200
    assert "is not a valid code" in response.content.decode()
    assert response.context["form"].errors.keys() == {"tag"}
    response = client.post(
        url("nursery_stocklot:add"),
        {"code": "K1/01", "species": species.pk, "zone": zone.pk, "grown": "field"},
    )
    assert response.status_code == 200
    assert "is not a valid code" in response.content.decode()
    assert "code" in response.context["form"].errors
    assert not SpecimenTree.objects.exists() and not StockLot.objects.exists()


def test_the_admin_tree_form_saves_a_chinese_tag(client, manager):
    species = SpeciesFactory()
    response = client.post(
        url("nursery_specimentree:add"),
        {"tag": "罗汉松03", "species": species.pk, "cost": "0", "status": "healthy"},
    )
    assert response.status_code == 302
    assert SpecimenTree.objects.filter(tag="罗汉松03").exists()


def _purchase(client, **line):
    data = {
        "reference": "HT-9",
        "supplier": SupplierFactory().pk,
        "acquired_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "transport_cost": "0",
        "crane_cost": "0",
        "root_ball_cost": "0",
        "allocation": Acquisition.Allocation.QUANTITY,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        **{f"lines-0-{key}": value for key, value in line.items()},
    }
    return client.post("/admin/nursery/purchase/", data)


def test_the_purchase_form_refuses_bad_lot_codes_and_tags(client, manager):
    species, zone = SpeciesFactory(), ZoneFactory(code="K2")
    line = {"species": species.pk, "quantity": "2", "unit_price": "10"}
    response = _purchase(client, **line, lot_code="K2 01", zone=zone.pk)
    assert response.status_code == 422
    assert "is not a valid code" in response.content.decode()
    response = _purchase(client, **line, specimen_tags="T1, T/2")
    assert response.status_code == 422
    assert "is not a valid code" in response.content.decode()
    response = _purchase(client, **line, specimen_tags="T1, " + "T" * 21)
    assert response.status_code == 422
    assert "at most 20 characters" in response.content.decode()
    assert not Acquisition.objects.exists() and not SpecimenTree.objects.exists()


def test_the_services_refuse_a_bad_code_and_save_nothing():
    species, zone = SpeciesFactory(), ZoneFactory(code="K3")
    with pytest.raises(services.NurseryError, match="not a valid code"):
        make_lot(5, code="K3 01", species=species, zone=zone)
    with pytest.raises(services.NurseryError, match="not a valid code"):
        services.acquisition_record(
            reference="HT-10",
            supplier=SupplierFactory(),
            acquired_on=timezone.localdate(),
            lines=[
                services.AcquisitionLineInput(
                    species=species, quantity=1, unit_price=1, specimen_tags=["A/B"]
                )
            ],
        )
    assert not StockLot.objects.exists() and not Acquisition.objects.exists()


def test_the_import_refuses_a_bad_tag_and_saves_a_chinese_one():
    SpeciesFactory(name="银杏")
    data = "tag,species,origin_province\n银杏 05,银杏,浙江\n"
    result = imports.trees_import(file=io.BytesIO(data.encode()), dry_run=True)
    assert not result.valid and "is not a valid code" in " ".join(result.rows[0].errors)
    upload = SimpleUploadedFile("t.csv", "tag,species,origin_province\n银杏05,银杏,浙江\n".encode())
    result = imports.trees_import(file=upload, dry_run=False)
    assert result.saved == 1 and SpecimenTree.objects.filter(tag="银杏05").exists()
