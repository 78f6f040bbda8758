"""The public park map (/map/): what it draws and lists, built from the park's records."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from nursery.models import SpecimenTree
from tests.tourism.park_map_fixture import build_park
from tourism.page_cache import page_cache_invalidate
from tourism.park_map import MapFilters, park_map_features

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    """The selectors read the active language; an earlier test may have left English on."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def park(home_page, locales, make_image):
    return build_park(home=home_page, locales=locales, make_image=make_image)


def expected_in_bloom(park) -> dict[str, bool]:
    """Which zones flower this month, from what the fixture says stands in each."""
    return {
        code: any(park.this in park.months[name] for name in standing.get("species", []))
        or any(park.this in months for months in standing.get("attractions", []))
        for code, standing in park.standing.items()
    }


def map_data(response) -> dict:
    match = re.search(
        r'<script id="park-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page hands the map its items"
    return json.loads(match.group(1))


class ListReader(HTMLParser):
    """The keys of the list's rows, split into shown and hidden."""

    def __init__(self):
        super().__init__()
        self.shown, self.hidden = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "data-key" in attrs:
            (self.hidden if "hidden" in attrs else self.shown).append(attrs["data-key"])


def list_rows(response) -> ListReader:
    reader = ListReader()
    reader.feed(response.content.decode())
    return reader


def test_zones_bloom_when_something_flowering_this_month_stands_in_them(park):
    features = park_map_features(month=park.this)
    expected = expected_in_bloom(park)
    assert {z.key.split(":")[1]: z.in_bloom for z in features.zones} == expected
    # The fixture covers both answers, and each way into bloom.
    assert expected == {"A1": True, "B1": False, "C1": False, "E1": True, "F1": True}
    rose = next(z for z in features.zones if z.key == "zone:F1")
    assert rose.blooming == ["月季"]


def test_next_month_the_colours_follow_the_records(park):
    features = park_map_features(month=park.other)
    blooming = {z.key for z in features.zones if z.in_bloom}
    # Only the camellia (tree and attraction in C1) flowers next month.
    assert blooming == {"zone:C1"}


def test_the_map_shows_placed_public_trees_that_are_not_gone(park):
    features = park_map_features(month=park.this)
    expected = {
        f"tree:{t.tag}"
        for t in SpecimenTree.objects.all()
        if t.public and t.location and t.status not in SpecimenTree.GONE
    }
    assert {t.key for t in features.trees} == expected == {"tree:T001", "tree:T002"}
    ginkgo = features.find("tree:T001")
    assert ginkgo.url == "/trees/T001/"
    assert ginkgo.photo.endswith(".webp")
    # Zones without an outline are not drawn.
    assert "zone:G1" not in {z.key for z in features.zones}


def test_stored_points_are_shifted_when_the_base_is_gcj02(park, settings):
    from core import geo

    settings.MAP_TILES_URL = "https://tiles.example.cn/{z}/{x}/{y}.png"
    settings.MAP_TILES_DATUM = "gcj02"
    tree = park_map_features(month=park.this).find("tree:T001")
    stored = park.trees["T001"].location["coordinates"]
    shifted = geo.wgs84_to_gcj02(*stored)
    assert tree.geometry["coordinates"] == pytest.approx(list(shifted), abs=1e-6)
    assert geo.distance_m(tuple(stored), shifted) > 100


def test_the_page_lists_what_the_map_draws(client, park):
    response = client.get("/map/")
    assert response.status_code == 200
    data = map_data(response)
    rows = list_rows(response)
    keys = [item["key"] for item in data["items"]]
    assert sorted(rows.shown) == sorted(keys) and len(rows.shown) == len(keys)
    assert rows.hidden == []
    assert set(keys) >= {
        "zone:A1",
        f"attraction:{park.attraction.pk}",
        "tree:T001",
        f"facility:{park.facilities['toilet'].pk}",
        "entrance",
    }
    assert "tree:T003" not in keys and "tree:T004" not in keys and "tree:T005" not in keys
    # The default base is the park plan, served by the site itself.
    assert data["base"]["tiles"] is None
    assert data["base"]["plan"]["url"].startswith("/")
    assert data["base"]["plan"]["bounds"] == [[30.40, 106.60], [30.42, 106.62]]
    html = response.content.decode()
    assert "玫瑰园区" in html and "Rose zone" not in html


def test_in_bloom_filter_hides_zones_and_attractions_not_in_bloom_in_the_list(client, park):
    response = client.get("/map/", {"bloom": "1"})
    rows = list_rows(response)
    expected = expected_in_bloom(park)
    zones_shown = {k.split(":")[1] for k in rows.shown if k.startswith("zone:")}
    assert zones_shown == {code for code, flowering in expected.items() if flowering}
    assert f"attraction:{park.attraction.pk}" in rows.shown
    assert f"attraction:{park.later.pk}" in rows.hidden
    # Trees and facilities are not narrowed by bloom.
    assert "tree:T001" in rows.shown and "tree:T002" in rows.shown


def test_layer_filters_on_the_list(client, park):
    toilet = f"facility:{park.facilities['toilet'].pk}"
    parking = f"facility:{park.facilities['parking'].pk}"
    response = client.get("/map/?f=1&show=toilet")
    rows = list_rows(response)
    assert toilet in rows.shown
    assert parking in rows.hidden
    assert "tree:T001" in rows.hidden
    # Zones and attractions are not layers to switch off.
    assert "zone:B1" in rows.shown
    # The form remembers what was asked.
    html = response.content.decode()
    assert re.search(r'value="toilet" checked', html)
    assert not re.search(r'value="parking" checked', html)


def test_first_visit_shows_every_layer():
    assert MapFilters.from_query({}.__class__()).layers == MapFilters().layers


def test_english_page_uses_english_names(client, park):
    response = client.get("/en/map/")
    assert response.status_code == 200
    html = response.content.decode()
    data = map_data(response)
    names = {item["key"]: item["name"] for item in data["items"]}
    assert names["zone:B1"] == "Ginkgo grove"
    assert names["tree:T001"] == "Ginkgo T001"
    assert names[f"attraction:{park.attraction_en.pk}"] == "Rose garden"
    assert f"attraction:{park.attraction.pk}" not in names
    assert names[f"facility:{park.facilities['toilet'].pk}"] == "East toilets"
    assert "玫瑰园区" not in html and "Rose zone" in html
    assert "/en/trees/T001/" in html


def test_a_link_opens_the_map_on_one_item(client, park):
    response = client.get("/map/", {"at": "tree:T001"})
    assert map_data(response)["selected"] == "tree:T001"
    assert 'class="park-map-list__item is-selected" data-key="tree:T001"' in (
        response.content.decode()
    )
    # A gone tree is not on the map, so nothing opens.
    assert map_data(client.get("/map/", {"at": "tree:T003"}))["selected"] == ""


@pytest.mark.parametrize(
    "query",
    [
        "at=tree:%00",
        "at=" + "x" * 5000,
        "at=zone:A1&at=tree:T001",
        "bloom=%ff&f=1&show=<script>&show=trees",
        "f=1&show=",
        "month=13&bloom=1",
        "page=-1&f[]=1",
        "at=attraction:999999999999999999999",
    ],
)
def test_hostile_parameters_never_break_the_page(client, park, query):
    response = client.get("/map/?" + query)
    # A NUL in the address is refused site-wide with a 400; anything else draws the map.
    assert response.status_code == (400 if "%00" in query else 200)
    assert "<script>&" not in response.content.decode()


def test_query_count_does_not_grow_with_the_trees(client, home_page, locales, make_image):
    build_park(home=home_page, locales=locales, make_image=make_image, extra_trees=3)
    client.get("/map/")  # renditions and the park settings made once, as on any live site
    page_cache_invalidate()  # drawn afresh, as after the trees are added below
    with CaptureQueriesContext(connection) as few:
        client.get("/map/")
    for n in range(3, 30):
        SpecimenTree.objects.create(
            tag=f"Y{n:03d}",
            species=SpecimenTree.objects.get(tag="T001").species,
            zone=SpecimenTree.objects.get(tag="T001").zone,
            public=True,
            photo=SpecimenTree.objects.get(tag="T001").photo,
            location={"type": "Point", "coordinates": [106.6075, 30.4015]},
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/map/")
    assert len(map_data(response)["items"]) > 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_small_map_on_the_passport_and_the_attraction_page(client, park):
    passport = client.get("/trees/T001/").content.decode()
    assert 'data-small-map="small-map-tree-T001"' in passport
    assert 'href="/map/?at=tree%3AT001"' in passport
    page = client.get(park.attraction.url).content.decode()
    assert f'href="/map/?at=attraction%3A{park.attraction.pk}"' in page
    # No location, no map.
    assert "data-small-map" not in client.get("/trees/T005/").content.decode()


def test_small_map_point_is_where_the_tree_stands(park):
    from tourism.park_map import small_map_points

    with translation.override("en"):
        [point] = small_map_points([park.trees["T001"]])
    assert point["geometry"] == park.trees["T001"].location
    assert point["name"] == "Ginkgo T001"
    assert point["at"] == "tree:T001"


def test_the_tree_list_has_a_map_of_the_trees_it_lists(client, park):
    html = client.get("/trees/").content.decode()
    match = re.search(
        r'<script id="small-map-list" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the tree list carries its map"
    points = json.loads(match.group(1))["points"]
    listed_and_placed = {
        f"tree:{t.tag}"
        for t in SpecimenTree.objects.filter(public=True, location__isnull=False)
        if not t.is_gone and f"/trees/{t.tag}/" in html
    }
    assert {p["at"] for p in points} == listed_and_placed == {"tree:T001", "tree:T002"}
