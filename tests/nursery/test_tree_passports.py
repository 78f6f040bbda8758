"""Public tree passports at /trees/<tag>/ (and /en/trees/<tag>/), their A6 labels, the attraction link."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nursery.models import SpecimenTree

from .factories import SpeciesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trees(site_tree, make_image):
    species = SpeciesFactory(
        name="罗汉松", name_en="Buddhist pine", scientific_name="Podocarpus macrophyllus"
    )
    public = SpecimenTree.objects.create(
        tag="T007",
        species=species,
        origin_province="浙江",
        origin_province_en="Zhejiang",
        zone=site_tree.zone,
        story="这棵罗汉松来自浙江。",
        story_en="This Buddhist pine came from Zhejiang.",
        public=True,
        photo=make_image("罗汉松", name="pine.jpg"),
    )
    public.measurements.create(measured_on="2021-12-01", stem_diameter_cm=30, height_cm=650)
    private = SpecimenTree.objects.create(tag="T008", species=species, zone=site_tree.zone)
    return public, private


def test_a_public_tree_has_a_passport_in_chinese_and_english(client, trees):
    zh = client.get("/trees/T007/")
    en = client.get("/en/trees/T007/")
    assert zh.status_code == en.status_code == 200
    assert "这棵罗汉松来自浙江。" in zh.content.decode()
    html = en.content.decode()
    assert "This Buddhist pine came from Zhejiang." in html and "650 cm" in html
    assert "Podocarpus macrophyllus" in html


def test_a_private_or_unknown_tree_is_not_found(client, trees):
    assert client.get("/trees/T008/").status_code == 404
    assert client.get("/trees/nope/").status_code == 404
    assert client.get("/trees/T008/label/").status_code == 404


def test_the_tree_list_shows_public_trees_only_in_constant_queries(client, trees, make_image):
    with CaptureQueriesContext(connection) as few:
        response = client.get("/en/trees/")
    assert "T007" in response.content.decode() and "T008" not in response.content.decode()
    species = trees[0].species
    for n in range(10):
        SpecimenTree.objects.create(
            tag=f"X{n}", species=species, public=True, photo=make_image(f"p{n}")
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/en/trees/")
    # Renditions are made on first view; a second view of the grown list costs what the first did.
    with CaptureQueriesContext(connection) as again:
        client.get("/en/trees/")
    assert len(again) <= len(few) + 1, (len(few), len(many), len(again))


def test_the_label_is_an_a6_page_with_a_qr_code_to_the_passport(client, trees):
    response = client.get("/trees/T007/label/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "size: A6" in html and "<svg" in html
    assert "http://testserver/trees/T007/" in html


def test_the_attraction_lists_the_public_trees_standing_in_its_zone(client, site_tree, trees):
    html = client.get(site_tree.zh.attraction.url).content.decode()
    assert "/trees/T007/" in html and "T008" not in html


def test_the_labels_inline_styles_carry_the_nonce_its_policy_allows(client, trees):
    response = client.get("/trees/T007/label/")
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    style_src = next(
        part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.split()[0] == "style-src"
    )

    assert style_src == ["'self'", f"'nonce-{nonce}'"]
