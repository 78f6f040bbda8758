"""China's datums against published reference points, the GeoJSON checks, and the park's shapes."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from core import geo
from core.park_map import Facility, ParkMap
from nursery.models import SpecimenTree
from tests.nursery.factories import SpeciesFactory, ZoneFactory
from tourism.models import AttractionPage

# --- reference points -------------------------------------------------------------------
#
# Each pair is copied from the test suite or the documentation of an open-source coordinate
# library, so the conversion is checked against numbers someone else computed and published.
# (longitude, latitude) throughout; the sources write some of them latitude first.

WGS84_TO_GCJ02 = [
    # googollee/eviltransform, python/test.py (TESTS: Shanghai, Shenzhen, Beijing)
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    # wandergis/coordtransform, test/app.js (the wgs84togcj02 result it prints)
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    # cran/geoChina, R/cst.R (Beijing railway station, given to five decimals)
    ((116.42079, 39.90105), (116.42703, 39.90245)),
]

GCJ02_TO_BD09 = [
    # wandergis/coordtransform, test/app.js (the gcj02tobd09 result it prints)
    ((116.404, 39.915), (116.41036949371029, 39.92133699351021)),
    # cran/geoChina, R/cst.R (Beijing railway station, given to five decimals)
    ((116.42703, 39.90245), (116.43351, 39.90851)),
]

BD09_TO_GCJ02 = [
    # wandergis/coordtransform, test/app.js (the bd09togcj02 result it prints)
    ((116.404, 39.915), (116.39762729119315, 39.90865673957631)),
]

# A grid across mainland China, from Hainan to Heilongjiang and Xinjiang to the coast.
CHINA_GRID = [(lon + 0.37, lat + 0.21) for lon in range(75, 135, 5) for lat in range(18, 54, 4)]
OUTSIDE_CHINA = [(-0.1276, 51.5072), (151.2093, -33.8688), (-74.006, 40.7128), (139.0, 56.5)]


@pytest.mark.parametrize(("wgs84", "gcj02"), WGS84_TO_GCJ02)
def test_wgs84_to_gcj02_lands_within_a_metre_of_published_points(wgs84, gcj02):
    assert geo.distance_m(geo.wgs84_to_gcj02(*wgs84), gcj02) < 1.0


@pytest.mark.parametrize(("gcj02", "bd09"), GCJ02_TO_BD09)
def test_gcj02_to_bd09_lands_within_a_metre_of_published_points(gcj02, bd09):
    assert geo.distance_m(geo.gcj02_to_bd09(*gcj02), bd09) < 1.0


@pytest.mark.parametrize(("bd09", "gcj02"), BD09_TO_GCJ02)
def test_bd09_to_gcj02_lands_within_a_metre_of_published_points(bd09, gcj02):
    assert geo.distance_m(geo.bd09_to_gcj02(*bd09), gcj02) < 1.0


def test_the_shift_is_the_few_hundred_metres_chinese_maps_are_known_for():
    # A conversion that did nothing would pass a loose round trip; this one must move the point.
    for position in CHINA_GRID:
        assert 1 < geo.distance_m(position, geo.wgs84_to_gcj02(*position)) < 1000


def test_gcj02_back_to_wgs84_within_a_centimetre_across_china():
    for position in CHINA_GRID:
        back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*position))
        assert geo.distance_m(back, position) < 0.01, position


def test_bd09_back_to_gcj02_within_half_a_metre():
    # Baidu's published inverse is closed-form and approximate: some centimetres, not exact.
    for position in CHINA_GRID:
        back = geo.bd09_to_gcj02(*geo.gcj02_to_bd09(*position))
        assert geo.distance_m(back, position) < 0.5, position


@pytest.mark.parametrize("position", OUTSIDE_CHINA)
def test_points_outside_china_are_not_shifted(position):
    assert geo.wgs84_to_gcj02(*position) == position
    assert geo.gcj02_to_wgs84(*position) == position


# --- the browser's copy of the formulas ------------------------------------------------------

MAP_BASE_JS = Path(settings.BASE_DIR) / "site" / "static" / "js" / "map-base.js"
NODE_SCRIPT = """
const fs = require("fs");
global.window = {};
eval(fs.readFileSync(process.argv[1], "utf8"));
const points = JSON.parse(process.argv[2]);
const out = points.map(([lon, lat]) => {
  const gcj = window.HuaguMap.wgs84ToGcj02(lon, lat);
  return {
    gcj: gcj,
    back: window.HuaguMap.gcj02ToWgs84(gcj[0], gcj[1]),
    display: window.HuaguMap.toDisplay([lon, lat], { datum: "gcj02" }),
    plain: window.HuaguMap.toDisplay([lon, lat], { datum: "wgs84" }),
  };
});
process.stdout.write(JSON.stringify(out));
"""


def test_map_base_js_gives_the_same_numbers_as_core_geo():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser's copy of the datum shift is not compared")
    points = [w for w, _ in WGS84_TO_GCJ02] + CHINA_GRID[::7] + OUTSIDE_CHINA
    result = subprocess.run(
        [node, "-e", NODE_SCRIPT, str(MAP_BASE_JS), json.dumps(points)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    for position, js in zip(points, json.loads(result.stdout), strict=True):
        gcj = geo.wgs84_to_gcj02(*position)
        assert js["gcj"] == pytest.approx(list(gcj), abs=1e-12)
        assert js["back"] == pytest.approx(list(geo.gcj02_to_wgs84(*gcj)), abs=1e-12)
        assert js["display"] == pytest.approx([gcj[1], gcj[0]], abs=1e-12)
        assert js["plain"] == [position[1], position[0]]


# --- GeoJSON checks ----------------------------------------------------------------------

SQUARE = [(106.60, 30.40), (106.70, 30.40), (106.70, 30.50), (106.60, 30.50)]
HOLE = [(106.64, 30.44), (106.66, 30.44), (106.66, 30.46), (106.64, 30.46)]


def ring(corners):
    return [list(c) for c in [*corners, corners[0]]]


def refusal_code(validator, value) -> str:
    with pytest.raises(ValidationError) as refused:
        validator(value)
    return refused.value.code


def test_a_closed_simple_polygon_passes():
    geo.validate_polygon({"type": "Polygon", "coordinates": [ring(SQUARE), ring(HOLE)]})


def test_an_open_ring_is_refused():
    value = {"type": "Polygon", "coordinates": [[list(c) for c in [*SQUARE, SQUARE[1]]]]}
    assert refusal_code(geo.validate_polygon, value) == "open_ring"


def test_a_bow_tie_is_refused():
    a, b, c, d = SQUARE
    value = {"type": "Polygon", "coordinates": [ring([a, b, d, c])]}  # two edges cross
    assert refusal_code(geo.validate_polygon, value) == "self_intersection"


def test_a_ring_of_two_corners_is_refused():
    a, b, *_ = SQUARE
    assert refusal_code(geo.validate_polygon, {"type": "Polygon", "coordinates": [[a, b, a]]}) == (
        "short"
    )
    repeated = {"type": "Polygon", "coordinates": [ring([a, b, a, b])]}
    assert refusal_code(geo.validate_polygon, repeated) == "short"
    assert refusal_code(geo.validate_polygon, {"type": "Polygon", "coordinates": []}) == "empty"


@pytest.mark.parametrize(
    ("coordinates", "code"),
    [
        (["106.6", 30.4], "position"),
        ([True, 30.4], "position"),
        ([106.6], "position"),
        ([106.6, 30.4, 1, 2], "position"),
        ([math.nan, 30.4], "range"),
        ([106.6, math.inf], "range"),
        ([181.0, 30.4], "range"),
        ([106.6, -90.5], "range"),
    ],
)
def test_a_bad_position_is_refused(coordinates, code):
    assert refusal_code(geo.validate_point, {"type": "Point", "coordinates": coordinates}) == code
    corners = [coordinates, *[list(c) for c in SQUARE[1:]], coordinates]
    assert refusal_code(geo.validate_polygon, {"type": "Polygon", "coordinates": [corners]}) == code


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Polygon", "coordinates": [ring(SQUARE)]},
        {"type": "point", "coordinates": [106.6, 30.4]},
        {"coordinates": [106.6, 30.4]},
        [106.6, 30.4],
        "106.6,30.4",
    ],
)
def test_the_wrong_kind_of_shape_is_refused_as_a_point(value):
    assert refusal_code(geo.validate_point, value) == "type"


def test_a_point_is_refused_as_a_polygon_and_a_polygon_as_a_path():
    assert refusal_code(geo.validate_polygon, geo.point(106.6, 30.4)) == "type"
    polygon = {"type": "Polygon", "coordinates": [ring(SQUARE)]}
    assert refusal_code(geo.validate_point_or_line, polygon) == "type"
    line = {"type": "LineString", "coordinates": [[106.6, 30.4]]}
    assert refusal_code(geo.validate_point_or_line, line) == "short"


def test_a_point_in_the_hole_is_outside_the_polygon():
    with_hole = {"type": "Polygon", "coordinates": [ring(SQUARE), ring(HOLE)]}
    assert geo.contains(with_hole, (106.62, 30.42))  # in the ring, clear of the hole
    assert not geo.contains(with_hole, (106.65, 30.45))  # in the hole
    assert not geo.contains(with_hole, (106.75, 30.45))  # east of the square
    assert not geo.contains(with_hole, (106.65, 30.35))  # south of it
    assert geo.contains({"type": "Polygon", "coordinates": [ring(SQUARE)]}, (106.65, 30.45))


# --- the park's shapes -----------------------------------------------------------------------

PARK = geo.polygon(SQUARE)
INSIDE = geo.polygon([(106.61, 30.41), (106.63, 30.41), (106.63, 30.43), (106.61, 30.43)])
CROSSING = geo.polygon([(106.65, 30.41), (106.75, 30.41), (106.75, 30.43), (106.65, 30.43)])


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def park(db):
    park_map = ParkMap.load()
    park_map.boundary = PARK
    park_map.save()
    return park_map


def test_park_map_wants_all_four_edges_in_order(park):
    park.plan_north = 30.5
    with pytest.raises(ValidationError, match="all four edges"):
        park.clean()
    park.plan_south, park.plan_west, park.plan_east = 30.5, 106.6, 106.7
    with pytest.raises(ValidationError) as refused:
        park.clean()
    assert "plan_north" in refused.value.message_dict
    park.plan_south, park.plan_west, park.plan_east = 30.4, 106.7, 106.6
    with pytest.raises(ValidationError) as refused:
        park.clean()
    assert "plan_east" in refused.value.message_dict
    park.plan_west, park.plan_east = 106.6, 106.7
    park.clean()


def test_park_map_wants_the_entrance_on_or_inside_its_boundary(park):
    park.entrance = geo.point(106.65, 30.45)
    park.clean()
    park.entrance = geo.point(106.6001, 30.4001)  # a gate by the south-west corner
    park.clean()
    park.entrance = geo.point(106.65, 30.55)
    with pytest.raises(ValidationError) as refused:
        park.clean()
    assert "entrance" in refused.value.message_dict


def test_shapes_outside_the_park_are_refused(park):
    zone = ZoneFactory.build(boundary=INSIDE)
    zone.clean()
    zone.boundary = CROSSING
    with pytest.raises(ValidationError) as refused:
        zone.clean()
    assert "boundary" in refused.value.message_dict

    tree = SpecimenTree(location=geo.point(106.62, 30.42))
    tree.clean()
    tree.location = geo.point(106.8, 30.42)
    with pytest.raises(ValidationError) as refused:
        tree.clean()
    assert "location" in refused.value.message_dict

    attraction = AttractionPage(title="荷塘", slug="lotus", location=geo.point(106.8, 30.42))
    with pytest.raises(ValidationError) as refused:
        attraction.clean()
    assert "location" in refused.value.message_dict

    toilet = Facility(kind=Facility.Kind.TOILET, name="厕所", location=geo.point(106.8, 30.42))
    with pytest.raises(ValidationError) as refused:
        toilet.clean()
    assert "location" in refused.value.message_dict


def test_a_tree_outside_its_zone_is_flagged(db):
    zone = ZoneFactory(boundary=INSIDE)
    tree = SpecimenTree(zone=zone, species=SpeciesFactory(), location=geo.point(106.62, 30.42))
    assert not tree.outside_its_zone
    tree.location = geo.point(106.64, 30.42)
    assert tree.outside_its_zone
    tree.zone = ZoneFactory(boundary=None)
    assert not tree.outside_its_zone  # nothing to be outside of
