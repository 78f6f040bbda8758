"""The phone field form sets a specimen tree's position from its GPS, with the accuracy."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from core.history import EDIT
from nursery import services
from nursery.models import SpecimenTree
from tests.tickets.factories import user_in_role

from .factories import SpeciesFactory, ZoneFactory
from .map_fixtures import ZONE_A, draw_park

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    draw_park()
    zone = ZoneFactory(code="A1", boundary=ZONE_A)
    return SpecimenTree.objects.create(tag="T042", species=SpeciesFactory(), zone=zone)


@pytest.fixture
def manager(client):
    user = user_in_role("Farm managers")
    client.force_login(user)
    return user


def post(client, **data):
    with translation.override("en"):
        address = reverse("nursery_field")
    fields = {"action": "location", "t-tree": "T042", **{f"t-{k}": v for k, v in data.items()}}
    return client.post(address, fields, HTTP_ACCEPT_LANGUAGE="en")


def english(response) -> str:
    return response.content.decode()


def test_the_field_form_saves_a_gps_point_with_its_accuracy_and_logs_it(client, manager, tree):
    response = post(client, lon="106.6051234", lat="30.5052345", accuracy_m="7.46")

    assert response.status_code == 302 and response.url.endswith("?form=location")
    tree.refresh_from_db()
    assert tree.location == {"type": "Point", "coordinates": [106.6051234, 30.5052345]}
    assert str(tree.location_accuracy_m) == "7.5"
    entry = ModelLogEntry.objects.filter(action=EDIT, object_id=str(tree.pk)).get()
    assert entry.user == manager
    assert sorted(c[0] for c in entry.data["changes"]) == ["location", "location_accuracy_m"]
    assert [c[2] for c in entry.data["changes"] if c[0] == "location_accuracy_m"] == ["7.5"]


def test_a_point_outside_the_zone_is_saved_with_a_warning(client, manager, tree):
    response = post(client, lon="106.615", lat="30.515", accuracy_m="5")
    tree.refresh_from_db()
    assert tree.location["coordinates"] == [106.615, 30.515]
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        shown = [(m.level_tag, str(m)) for m in page.context["messages"]]
    assert (
        "warning",
        "Tree T042 stands outside the outline of its zone A1: check its position or "
        "the zone's boundary.",
    ) in shown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"lon": "106.605", "lat": "30.505", "accuracy_m": "50.1"},
            "The phone&#x27;s position is only accurate to 50 m; at most 50 m is needed.",
        ),
        (
            {"lon": "106.605", "lat": "30.505", "accuracy_m": "120"},
            "only accurate to 120 m",
        ),
        (
            {"lon": "106.70", "lat": "30.505", "accuracy_m": "3"},
            "This lies outside the park boundary.",
        ),
        ({"lon": "", "lat": "", "accuracy_m": ""}, "Use my location"),
        ({"lon": "nan", "lat": "30.5", "accuracy_m": "3"}, "Enter a number."),
        ({"lon": "106.605", "lat": "30.505", "accuracy_m": "-1"}, "no usable position"),
        ({"lon": "1e999", "lat": "30.505", "accuracy_m": "3"}, "Enter a number."),
        ({"lon": "200", "lat": "30.505", "accuracy_m": "3"}, "outside the earth"),
    ],
    ids=[
        "just too rough",
        "rough",
        "outside the park",
        "no position",
        "nan",
        "negative",
        "inf",
        "off the earth",
    ],
)
def test_a_refused_position_shows_why_and_saves_nothing(client, manager, tree, data, message):
    response = post(client, **data)

    assert response.status_code == 400
    assert message in english(response)
    tree.refresh_from_db()
    assert tree.location is None and tree.location_accuracy_m is None
    assert not ModelLogEntry.objects.filter(action=EDIT, object_id=str(tree.pk)).exists()


def test_an_unknown_or_gone_tree_is_refused(client, manager, tree):
    gone = SpecimenTree.objects.create(
        tag="T043", species=tree.species, status=SpecimenTree.Status.DEAD
    )
    for tag in ("NOPE", "T043", "<script>"):
        response = post(client, tree=tag, lon="106.605", lat="30.505", accuracy_m="3")
        assert response.status_code == 400
    gone.refresh_from_db()
    assert gone.location is None


def test_the_accuracy_limit_is_inclusive(tree):
    services.specimen_locate(tree=tree, lon=106.605, lat=30.505, accuracy_m=50)
    tree.refresh_from_db()
    assert str(tree.location_accuracy_m) == "50.0"


@pytest.mark.parametrize("role", ["Officials", "Gate staff"])
def test_officials_and_gate_staff_cannot_set_a_position(client, tree, role):
    client.force_login(user_in_role(role))
    response = post(client, lon="106.605", lat="30.505", accuracy_m="3")
    assert response.status_code == 403
    tree.refresh_from_db()
    assert tree.location is None


def test_a_user_who_may_plant_but_not_change_trees_gets_no_position_tab(client, tree):
    from django.contrib.auth.models import Permission

    user = user_in_role("Gate staff")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="nursery",
            codename__in=["add_planting", "change_survivalcheck"],
        )
    )
    client.force_login(user)
    page = client.get(reverse("nursery_field") + "?form=location")
    assert page.status_code == 200 and "data-gps-form" not in page.content.decode()
    response = post(client, lon="106.605", lat="30.505", accuracy_m="3")
    assert response.status_code == 403
    tree.refresh_from_db()
    assert tree.location is None


def test_the_position_tab_is_offered_to_managers(client, manager, tree):
    page = client.get(reverse("nursery_field") + "?form=location")
    html = page.content.decode()
    assert "data-gps-form" in html and "js/field-gps.js" in html
    assert 'value="T042"' in html
