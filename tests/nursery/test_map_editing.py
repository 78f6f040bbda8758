"""Shapes drawn in the admin's map widget are checked on save: a bad shape is refused on its
field and nothing is saved; a tree outside its zone saves with a warning."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from core import geo
from core.park_map import Facility, ParkMap
from nursery.models import SpecimenTree, Zone
from tests.admin_sign_in import signed_in

from .factories import SpeciesFactory, ZoneFactory
from .map_fixtures import IN_A, IN_B, OUTSIDE_PARK, PARK, ZONE_A, draw_park

pytestmark = pytest.mark.django_db

OPEN_RING = {"type": "Polygon", "coordinates": [ZONE_A["coordinates"][0][:-1]]}
BOW_TIE = geo.polygon([(106.601, 30.501), (106.609, 30.509), (106.609, 30.501), (106.601, 30.509)])
SPILLING_OUT = geo.polygon([(106.61, 30.51), (106.63, 30.51), (106.63, 30.53), (106.61, 30.53)])


def url(name, args=()):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def manager(client):
    draw_park()
    return signed_in(client, "Farm managers")


def zone_data(boundary, **extra):
    return {
        "code": "N9",
        "name": "新区",
        "name_en": "New field",
        "area_mu": "12",
        "use": Zone.Use.NURSERY_FIELD,
        "boundary": json.dumps(boundary) if boundary is not None else "",
        **extra,
    }


def field_errors(response, name):
    """The field's errors, read in English (the request leaves its own language active)."""
    with translation.override("en"):
        return [str(e) for e in response.context["form"].errors.get(name, [])]


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        (OPEN_RING, "Ring 1 is not closed: its last point must repeat its first."),
        (BOW_TIE, "Ring 1 crosses itself: draw its corners in order around the edge."),
        (SPILLING_OUT, "This lies outside the park boundary."),
    ],
    ids=["open ring", "self-intersection", "outside the park"],
)
def test_a_bad_zone_outline_is_refused_on_its_field_and_nothing_is_saved(
    client, manager, boundary, message
):
    response = client.post(url("wagtailsnippets_nursery_zone:add"), zone_data(boundary))

    assert response.status_code == 200
    assert field_errors(response, "boundary") == [message]
    assert message in response.content.decode()
    assert not Zone.objects.filter(code="N9").exists()


def test_a_bad_outline_leaves_an_existing_zone_as_it_was(client, manager):
    zone = ZoneFactory(code="N9", boundary=ZONE_A)

    response = client.post(
        url("wagtailsnippets_nursery_zone:edit", args=[zone.pk]), zone_data(BOW_TIE)
    )

    assert field_errors(response, "boundary")
    zone.refresh_from_db()
    assert zone.boundary == ZONE_A


def test_a_zone_outline_drawn_inside_the_park_is_saved(client, manager):
    response = client.post(url("wagtailsnippets_nursery_zone:add"), zone_data(ZONE_A))

    assert response.status_code == 302
    assert Zone.objects.get(code="N9").boundary == ZONE_A


def test_the_zone_form_draws_the_park_and_the_other_zones_underneath(client, manager):
    ZoneFactory(code="A1", boundary=ZONE_A)
    page = client.get(url("wagtailsnippets_nursery_zone:add"))
    html = page.content.decode()
    config = json.loads(
        html.split('id="id_boundary-map-config" type="application/json">')[1].split("</script>")[0]
    )

    assert config["geometry"] == "polygon"
    assert [r["geometry"] for r in config["reference"]] == [PARK, ZONE_A]
    assert "js/map-widget.js" in html and "leaflet-geoman.min.js" in html


def tree_data(tree, location, **extra):
    return {
        "tag": tree.tag,
        "species": tree.species_id,
        "origin_province": "",
        "origin_province_en": "",
        "cost": "0",
        "estimated_age_years": "",
        "zone": tree.zone_id or "",
        "planted_on": "",
        "status": tree.status,
        "photo": "",
        "story": "",
        "story_en": "",
        "location": json.dumps(location) if location is not None else "",
        "location_accuracy_m": "",
        **extra,
    }


@pytest.fixture
def tree():
    zone = ZoneFactory(code="A1", boundary=ZONE_A)
    return SpecimenTree.objects.create(tag="T100", species=SpeciesFactory(), zone=zone)


def test_a_tree_point_outside_the_park_is_refused_and_nothing_is_saved(client, manager, tree):
    response = client.post(
        url("nursery_specimentree:edit", args=[tree.pk]), tree_data(tree, OUTSIDE_PARK)
    )

    assert field_errors(response, "location") == ["This lies outside the park boundary."]
    tree.refresh_from_db()
    assert tree.location is None


def test_a_tree_point_that_is_not_a_point_is_refused(client, manager, tree):
    response = client.post(
        url("nursery_specimentree:edit", args=[tree.pk]), tree_data(tree, ZONE_A)
    )

    assert "Expected a GeoJSON Point." in field_errors(response, "location")
    tree.refresh_from_db()
    assert tree.location is None


def test_a_tree_outside_its_zone_is_saved_with_a_warning(client, manager, tree):
    response = client.post(
        url("nursery_specimentree:edit", args=[tree.pk]), tree_data(tree, IN_B), follow=True
    )

    tree.refresh_from_db()
    assert tree.location == IN_B
    with translation.override("en"):
        warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        "Tree T100 stands outside the outline of its zone A1: check its position or the "
        "zone's boundary."
    ]
    # And its edit page keeps saying so.
    page = client.get(url("nursery_specimentree:edit", args=[tree.pk]))
    assert "stands outside the outline of its zone A1" in page.content.decode()


def test_a_tree_inside_its_zone_is_saved_without_a_warning(client, manager, tree):
    response = client.post(
        url("nursery_specimentree:edit", args=[tree.pk]), tree_data(tree, IN_A), follow=True
    )

    tree.refresh_from_db()
    assert tree.location == IN_A
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
    page = client.get(url("nursery_specimentree:edit", args=[tree.pk]))
    assert "stands outside the outline" not in page.content.decode()


def test_the_park_boundary_cannot_be_saved_open(client):
    park = draw_park()
    signed_in(client, "Editors")
    data = {
        "boundary": json.dumps(OPEN_RING),
        "entrance": json.dumps(geo.point(106.60, 30.50)),
        "plan_image": "",
        "plan_north": "",
        "plan_south": "",
        "plan_west": "",
        "plan_east": "",
    }
    response = client.post(url("wagtailsettings:edit", args=["core", "parkmap", park.pk]), data)

    assert response.status_code == 200
    assert "Ring 1 is not closed" in response.content.decode()
    assert ParkMap.load().boundary == PARK


def test_editors_place_a_facility_and_a_point_path_is_refused(client):
    draw_park()
    signed_in(client, "Editors")
    data = {
        "kind": Facility.Kind.ACCESSIBLE_PATH,
        "name": "无障碍步道",
        "name_en": "Step-free path",
        "note": "",
        "note_en": "",
        "location": json.dumps(IN_A),
    }
    refused = client.post(url("core_facility:add"), data)
    assert refused.status_code == 200
    assert field_errors(refused, "location") == [
        "An accessible path is a line; every other facility a point."
    ]
    assert not Facility.objects.exists()

    line = {"type": "LineString", "coordinates": [[106.605, 30.505], [106.615, 30.515]]}
    saved = client.post(url("core_facility:add"), {**data, "location": json.dumps(line)})
    assert saved.status_code == 302
    assert Facility.objects.get().location == line
    listing = client.get(url("core_facility:index"), {"q": "无障碍"})
    assert "无障碍步道" in listing.content.decode()


@pytest.mark.parametrize("role", ["Officials", "Gate staff"])
def test_officials_and_gate_staff_cannot_place_facilities(client, role):
    signed_in(client, role)
    response = client.get(url("core_facility:add"))
    assert response.status_code in (302, 403)
