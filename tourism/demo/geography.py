"""The demo park on the map: its boundary, zones, trees, attractions, facilities and drawn plan.

The park is laid out in metres on a local grid (x east, y north, the origin at the
south-west corner of the gardens) and placed with its centre on the park settings' point
(``content.PARK``, near the reference park's real place). Three bands run north from the
entrance: the display gardens, then the flower seas and the greenhouses, then the nursery
fields. Each zone's width is set so that its bed, inside half a path all round, has the
zone's area in mu; the paths are the park's land besides. Positions are WGS-84, as stored.

The plan image is drawn here with Pillow at one pixel per metre, north up, with no text,
so it needs no font: its four edges are the grid's, converted the same way.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageDraw

from core import geo
from nursery.models import SpecimenTree, Zone

from . import content

SQUARE_METRES_PER_MU = 2000 / 3
WIDTH = 1500  # metres, west to east, of every band of zones
PATH = 20  # metres between two zones: the park's paths
MARGIN = 25  # metres between the outer zones and the fence
PLAZA = 90  # metres south of the gardens: the entrance plaza and the car park
CUT = 12  # metres cut off each corner of a zone
# South to north; each band's zones west to east.
BANDS = [
    ["B1", "B2", "B3", "B4", "B5", "B6"],
    ["A1", "A2", "G1"],
    ["N1", "N2", "N3"],
]
SPECIMEN_ZONE = "B2"
PLAN_TITLE = "演示图 · 花谷平面图"
PLAN_ALT = "大地花谷平面图：南侧大门和停车场，向北依次是展示园、花海和苗木基地"

Box = tuple[float, float, float, float]  # west, south, east, north in metres


@dataclass(frozen=True)
class Layout:
    """Every zone's rectangle on the grid, and the park's outer edges."""

    zones: dict[str, Box]
    park: Box


def layout() -> Layout:
    areas = {z.code: float(z.area_mu) * SQUARE_METRES_PER_MU for z in content.ZONES}
    zones, south = {}, 0.0
    for band in BANDS:
        # Each zone's rectangle less half a path all round (and its cut corners) has the
        # zone's area: the paths are land of the park between the zones.
        beds = [areas[code] + 2 * CUT**2 for code in band]
        height = PATH + sum(beds) / (WIDTH - PATH * len(band))
        west = 0.0
        for code, bed in zip(band, beds, strict=True):
            east = west + PATH + bed / (height - PATH)
            zones[code] = (west, south, east, south + height)
            west = east
        south += height
    park = (-MARGIN, -PLAZA, WIDTH + MARGIN, south + MARGIN)
    return Layout(zones, park)


def _origin() -> tuple[float, float, float, float]:
    """The grid's origin in WGS-84 and metres per degree there."""
    lay = layout()
    west, south, east, north = lay.park
    centre_x, centre_y = (west + east) / 2, (south + north) / 2
    lat0 = float(content.PARK["latitude"])
    lon0 = float(content.PARK["longitude"])
    per_lat = 111_132.0
    per_lon = 111_320.0 * math.cos(math.radians(lat0))
    return lon0 - centre_x / per_lon, lat0 - centre_y / per_lat, per_lon, per_lat


def to_wgs84(x: float, y: float) -> geo.Position:
    lon0, lat0, per_lon, per_lat = _origin()
    return lon0 + x / per_lon, lat0 + y / per_lat


def _inset(box: Box, by: float) -> Box:
    west, south, east, north = box
    return west + by, south + by, east - by, north - by


def _chamfered(box: Box, cut: float) -> list[tuple[float, float]]:
    """A rectangle with its corners cut: reads as a garden bed, not a spreadsheet cell."""
    west, south, east, north = box
    return [
        (west + cut, south),
        (east - cut, south),
        (east, south + cut),
        (east, north - cut),
        (east - cut, north),
        (west + cut, north),
        (west, north - cut),
        (west, south + cut),
    ]


def zone_corners(code: str) -> list[tuple[float, float]]:
    return _chamfered(_inset(layout().zones[code], PATH / 2), CUT)


def park_corners() -> list[tuple[float, float]]:
    return _chamfered(layout().park, 40)


# The gate faces the path between the specimen-tree garden and the lotus ponds.
GATE_X = layout().zones["B3"][0]
ENTRANCE = (GATE_X, -PLAZA + 6)


def tree_positions(count: int) -> list[tuple[float, float]]:
    """``count`` planting spots in rows across the specimen-tree garden, clear of its edges."""
    west, south, east, north = _inset(layout().zones[SPECIMEN_ZONE], PATH / 2 + 18)
    columns = max(1, round(math.sqrt(count * (east - west) / (north - south))))
    rows = math.ceil(count / columns)
    dx, dy = (east - west) / max(1, columns - 1), (north - south) / max(1, rows - 1)
    spots = []
    for n in range(count):
        row, column = divmod(n, columns)
        # Every other row is offset by half a spacing, as trees are planted.
        x = west + column * dx + (dx / 2 if row % 2 else 0)
        spots.append((x, south + row * dy))
    return spots


# (kind, Chinese name, English name, Chinese note, English note, points on the grid)
FACILITIES = [
    (
        "parking",
        "大门停车场",
        "Main gate car park",
        "免费停车，约300个车位，含无障碍车位和大巴车位",
        "Free; about 300 spaces, with accessible and coach bays",
        [(GATE_X - 260, -PLAZA / 2)],
    ),
    (
        "toilet",
        "大门游客中心卫生间",
        "Visitor centre toilets",
        "含无障碍卫生间和母婴室",
        "With an accessible toilet and a baby room",
        [(GATE_X + 60, -PLAZA / 2)],
    ),
    (
        "toilet",
        "花海卫生间",
        "Flower Sea toilets",
        "",
        "",
        [(WIDTH * 0.56, layout().zones["A1"][1])],
    ),
    (
        "food",
        "花谷小吃",
        "Valley snack bar",
        "饮料、简餐，旺季营业",
        "Drinks and light meals, in the busy seasons",
        [(GATE_X + 140, -PLAZA / 2)],
    ),
    (
        "food",
        "荷塘茶亭",
        "Lotus pond tea kiosk",
        "",
        "",
        [(layout().zones["B3"][2], layout().zones["B3"][3] - 40)],
    ),
    (
        "first_aid",
        "游客中心医务室",
        "First-aid room, visitor centre",
        "急救箱和轮椅借用",
        "First aid; wheelchairs to borrow",
        [(GATE_X + 30, -PLAZA + 30)],
    ),
    (
        "accessible_path",
        "无障碍主步道",
        "Step-free main path",
        "硬化路面，从大门通往月季园、花海和荷塘",
        "Paved, from the gate to the Rose Garden, the Flower Sea and the Lotus Ponds",
        [
            ENTRANCE,
            (GATE_X, layout().zones["A1"][1]),
            (layout().zones["B1"][2] / 2, layout().zones["A1"][1]),
        ],
    ),
]


# --- the plan image ------------------------------------------------------------------------

GROUND = (238, 242, 230)
PARK_FILL = (246, 243, 232)
FENCE = (150, 168, 138)
PATH_COLOUR = (236, 224, 200)
WATER = (170, 206, 230)
COLOURS = {
    Zone.Use.FLOWER_SEA: (248, 214, 226),
    Zone.Use.DISPLAY_GARDEN: (230, 220, 242),
    Zone.Use.GREENHOUSE: (218, 228, 236),
    Zone.Use.NURSERY_FIELD: (216, 234, 204),
}
ZONE_COLOURS = {"B1": (250, 218, 214), "B2": (208, 230, 202), "B4": (255, 236, 204)}


def draw_park_plan() -> bytes:
    """The illustrated plan, one pixel per metre, north up, as PNG bytes."""
    west, south, east, north = layout().park
    width, height = round(east - west), round(north - south)

    def px(x: float, y: float) -> tuple[float, float]:
        return x - west, north - y

    image = Image.new("RGB", (width, height), GROUND)
    draw = ImageDraw.Draw(image)
    draw.polygon([px(*c) for c in park_corners()], fill=PATH_COLOUR, outline=FENCE, width=6)
    uses = {z.code: z.use for z in content.ZONES}
    for code, box in layout().zones.items():
        corners = [px(*c) for c in zone_corners(code)]
        draw.polygon(corners, fill=ZONE_COLOURS.get(code, COLOURS[uses[code]]))
        zw, zs, ze, zn = _inset(box, PATH / 2 + 6)
        if uses[code] == Zone.Use.NURSERY_FIELD:
            for y in range(int(zs) + 8, int(zn), 16):  # rows of young trees
                draw.line([px(zw, y), px(ze, y)], fill=(196, 220, 182), width=5)
        elif uses[code] == Zone.Use.GREENHOUSE:
            for x in range(int(zw) + 4, int(ze) - 10, 24):
                draw.rectangle(
                    [px(x, zn), px(x + 18, zs)], fill=(236, 242, 248), outline=(180, 196, 210)
                )
        elif uses[code] == Zone.Use.FLOWER_SEA:
            for n, y in enumerate(range(int(zs) + 10, int(zn), 22)):
                tint = (240, 186, 206) if n % 2 else (250, 222, 170)
                draw.line([px(zw, y), px(ze, y)], fill=tint, width=9)
        elif code not in ("B2", "B3"):  # beds of shrubs and flowers
            tint = tuple(max(0, c - 28) for c in ZONE_COLOURS.get(code, COLOURS[uses[code]]))
            for row, y in enumerate(range(int(zs) + 14, int(zn) - 6, 26)):
                for x in range(int(zw) + 14 + (row % 2) * 13, int(ze) - 6, 26):
                    cx, cy = px(x, y)
                    draw.ellipse([cx - 6, cy - 6, cx + 6, cy + 6], fill=tint)
        if code == "B3":  # the lotus ponds
            draw.ellipse([px(zw + 10, zn - 10), px(ze - 10, zs + 60)], fill=WATER)
            draw.ellipse([px(zw + 40, zs + 50), px(ze - 50, zs + 10)], fill=WATER)
    # A stream from the ponds north to the path, then east beside it to the fence.
    b3 = layout().zones["B3"]
    middle = (b3[0] + b3[2]) / 2
    draw.line(
        [px(middle, b3[3] - 20), px(middle, b3[3] + 4), px(east, b3[3] + 4)],
        fill=WATER,
        width=7,
        joint="curve",
    )
    # The step-free main path, a shade darker than the others.
    path_points = next(p for kind, *_, p in FACILITIES if kind == "accessible_path")
    draw.line([px(*p) for p in path_points], fill=(222, 204, 170), width=10, joint="curve")
    for x, y in tree_positions(200):
        cx, cy = px(x, y)
        draw.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], fill=(92, 140, 84))
    # The car park, the entrance plaza and the gate.
    car_x, car_y = FACILITIES[0][5][0]
    draw.rectangle([px(car_x - 110, car_y + 35), px(car_x + 110, car_y - 35)], fill=(205, 208, 212))
    for x in range(int(car_x) - 100, int(car_x) + 110, 14):
        draw.line([px(x, car_y + 30), px(x, car_y + 5)], fill=(255, 255, 255), width=2)
        draw.line([px(x, car_y - 5), px(x, car_y - 30)], fill=(255, 255, 255), width=2)
    gate_x, gate_y = px(*ENTRANCE)
    draw.rectangle([gate_x - 30, gate_y - 14, gate_x + 30, gate_y + 4], fill=(184, 51, 106))
    draw.polygon(
        [(gate_x - 36, gate_y - 14), (gate_x, gate_y - 34), (gate_x + 36, gate_y - 14)],
        fill=(150, 40, 86),
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- into the database ------------------------------------------------------------------------


def _polygon(corners) -> dict:
    return geo.polygon([to_wgs84(*c) for c in corners])


def _point(x: float, y: float) -> dict:
    return geo.point(*to_wgs84(x, y))


def ensure_park_geography(*, plan_image, tally) -> None:
    """Fill in the demo's shapes where they are still empty; drawn or moved ones are kept."""
    from core.park_map import Facility, ParkMap
    from tourism.models import AttractionPage

    park_map = ParkMap.load()
    filled = False
    if not park_map.boundary:
        park_map.boundary, filled = _polygon(park_corners()), True
    if not park_map.entrance:
        park_map.entrance, filled = _point(*ENTRANCE), True
    if park_map.plan_image_id is None:
        west, south, east, north = layout().park
        (lon_w, lat_s), (lon_e, lat_n) = to_wgs84(west, south), to_wgs84(east, north)
        park_map.plan_image = plan_image
        park_map.plan_west, park_map.plan_east = round(lon_w, 7), round(lon_e, 7)
        park_map.plan_south, park_map.plan_north = round(lat_s, 7), round(lat_n, 7)
        filled = True
    if filled:
        park_map.save()
    tally.add("park map", filled)

    zones = {z.code: z for z in Zone.objects.filter(code__in=layout().zones)}
    for code, zone in zones.items():
        if zone.boundary:
            tally.add("zone boundaries", False)
            continue
        zone.boundary = _polygon(zone_corners(code))
        zone.save(update_fields=["boundary"])
        tally.add("zone boundaries", True)

    if SPECIMEN_ZONE in zones:
        trees = list(SpecimenTree.objects.filter(zone=zones[SPECIMEN_ZONE]).order_by("tag"))
        spots = tree_positions(len(trees))
        unplaced = [t for t in trees if not t.location]
        for tree, spot in zip(trees, spots, strict=True):
            if not tree.location:
                tree.location = _point(*spot)
        SpecimenTree.objects.bulk_update(unplaced, ["location"])
        for tree in trees:
            tally.add("tree locations", tree in unplaced)

    # An attraction's marker: its zone's middle, spread a little when a zone has several.
    pages = AttractionPage.objects.filter(zone__code__in=layout().zones).order_by("path")
    keys: dict[str, list] = {}
    for page in pages.values("pk", "translation_key", "zone__code", "location"):
        keys.setdefault(page["zone__code"], [])
        if page["translation_key"] not in keys[page["zone__code"]]:
            keys[page["zone__code"]].append(page["translation_key"])
        if page["location"]:
            tally.add("attraction locations", False)
            continue
        west, south, east, north = layout().zones[page["zone__code"]]
        n = keys[page["zone__code"]].index(page["translation_key"])
        x = (west + east) / 2 + (n % 2 * 2 - 1) * min(40, (east - west) / 5) * (n > 0)
        y = (south + north) / 2 + (n // 2) * min(30, (north - south) / 5)
        # The page row itself, not a new revision: a marker is not an edit to publish.
        AttractionPage.objects.filter(pk=page["pk"]).update(location=_point(x, y))
        tally.add("attraction locations", True)

    for kind, name, name_en, note, note_en, points in FACILITIES:
        location = (
            geo.point(*to_wgs84(*points[0]))
            if kind != Facility.Kind.ACCESSIBLE_PATH
            else {
                "type": "LineString",
                "coordinates": [[round(v, 7) for v in to_wgs84(*p)] for p in points],
            }
        )
        _facility, created = Facility.objects.get_or_create(
            kind=kind,
            name=name,
            defaults={"name_en": name_en, "note": note, "note_en": note_en, "location": location},
        )
        tally.add("facilities", created)
