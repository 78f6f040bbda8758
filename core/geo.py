"""Places on the park's map: GeoJSON points and polygons, their checks, and China's datums.

Geometry is stored as GeoJSON (RFC 7946) in an ordinary JSON column, in WGS-84 longitude,
latitude order: what a phone's GPS gives and what any GIS reads. Nothing here needs a GIS
server; the checks are the few a park's shapes need (closed rings, no crossing edges, a
point inside an area).

Maps published in mainland China are drawn in GCJ-02, a deliberately shifted datum, and
Baidu's in BD-09, shifted again; a WGS-84 point drawn on them lands a few hundred metres
off. ``wgs84_to_gcj02`` and ``gcj02_to_bd09`` convert for display and for navigation
links; ``gcj02_to_wgs84`` inverts by iteration (the shift has no closed-form inverse).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

Position = tuple[float, float]  # (longitude, latitude)

# --- GeoJSON checks ---------------------------------------------------------------------


def _position(value, where: str) -> Position:
    if (
        not isinstance(value, list | tuple)
        or len(value) not in (2, 3)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ValidationError(
            _("%(where)s is not a [longitude, latitude] pair."),
            code="position",
            params={"where": where},
        )
    lon, lat = float(value[0]), float(value[1])
    if (
        not (math.isfinite(lon) and math.isfinite(lat))
        or not (-180 <= lon <= 180)
        or not (-90 <= lat <= 90)
    ):
        raise ValidationError(
            _("%(where)s lies outside the earth's longitudes and latitudes."),
            code="range",
            params={"where": where},
        )
    return lon, lat


def _geometry(value, kind: str) -> object:
    if not isinstance(value, dict) or value.get("type") != kind or "coordinates" not in value:
        raise ValidationError(_("Expected a GeoJSON %(kind)s."), code="type", params={"kind": kind})
    return value["coordinates"]


def point_of(value) -> Position:
    """The (longitude, latitude) of a GeoJSON Point, checked."""
    return _position(_geometry(value, "Point"), _("The point"))


def validate_point(value) -> None:
    """A model field validator: ``value`` is a GeoJSON Point on the earth."""
    point_of(value)


def _segments_cross(p1: Position, p2: Position, q1: Position, q2: Position) -> bool:
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(v) < 1e-18 else (1 if v > 0 else -1)

    def on_segment(a, b, c):
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(
            a[1], b[1]
        )

    o1, o2, o3, o4 = orient(p1, p2, q1), orient(p1, p2, q2), orient(q1, q2, p1), orient(q1, q2, p2)
    if o1 != o2 and o3 != o4:
        return True
    return (
        (o1 == 0 and on_segment(p1, p2, q1))
        or (o2 == 0 and on_segment(p1, p2, q2))
        or (o3 == 0 and on_segment(q1, q2, p1))
        or (o4 == 0 and on_segment(q1, q2, p2))
    )


def ring_crosses_itself(ring: Sequence[Position]) -> bool:
    """Whether two edges of a closed ring meet anywhere but at their shared corner."""
    edges = list(itertools.pairwise(ring))
    count = len(edges)
    for i in range(count):
        for j in range(i + 1, count):
            if j == i + 1 or (i == 0 and j == count - 1):
                continue  # neighbours share a corner by construction
            if _segments_cross(*edges[i], *edges[j]):
                return True
    return False


def polygon_rings(value) -> list[list[Position]]:
    """The rings of a GeoJSON Polygon (outer first), each checked closed and simple."""
    coordinates = _geometry(value, "Polygon")
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError(_("A polygon needs at least one ring."), code="empty")
    rings = []
    for number, raw in enumerate(coordinates, start=1):
        if not isinstance(raw, list) or len(raw) < 4:
            raise ValidationError(
                _("Ring %(number)s needs at least three corners and its first point repeated."),
                code="short",
                params={"number": number},
            )
        ring = [
            _position(p, _("Corner %(n)s of ring %(number)s") % {"n": i, "number": number})
            for i, p in enumerate(raw, start=1)
        ]
        if ring[0] != ring[-1]:
            raise ValidationError(
                _("Ring %(number)s is not closed: its last point must repeat its first."),
                code="open_ring",
                params={"number": number},
            )
        if len(set(ring[:-1])) < 3:
            raise ValidationError(
                _("Ring %(number)s needs at least three different corners."),
                code="short",
                params={"number": number},
            )
        if ring_crosses_itself(ring):
            raise ValidationError(
                _("Ring %(number)s crosses itself: draw its corners in order around the edge."),
                code="self_intersection",
                params={"number": number},
            )
        rings.append(ring)
    return rings


def validate_polygon(value) -> None:
    """A model field validator: ``value`` is a GeoJSON Polygon with closed, simple rings."""
    polygon_rings(value)


def _in_ring(point: Position, ring: Sequence[Position]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def contains(polygon, point: Position) -> bool:
    """Whether ``point`` lies inside the GeoJSON ``polygon`` (and outside its holes)."""
    outer, *holes = polygon_rings(polygon)
    return _in_ring(point, outer) and not any(_in_ring(point, hole) for hole in holes)


def polygon_within(inner, outer) -> bool:
    """Whether every corner of the ``inner`` polygon lies inside ``outer``."""
    return all(contains(outer, p) for p in polygon_rings(inner)[0][:-1])


def centroid(polygon) -> Position:
    """The area centroid of a polygon's outer ring (where its label and marker go)."""
    ring = polygon_rings(polygon)[0]
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-18:
        xs, ys = zip(*ring[:-1], strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * area), cy / (3 * area)


def point(lon: float, lat: float) -> dict:
    """A GeoJSON Point."""
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def polygon(corners: Sequence[Position]) -> dict:
    """A GeoJSON Polygon from its corners in order (the ring is closed here)."""
    ring = [[round(lon, 7), round(lat, 7)] for lon, lat in corners]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


# --- China's datums -----------------------------------------------------------------------

# Krasovsky 1940 ellipsoid, on which GCJ-02's published algorithm is defined.
_A = 6378245.0
_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0


def in_mainland_china(lon: float, lat: float) -> bool:
    """The rough box GCJ-02 applies in; outside it the datum is plain WGS-84."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _shift_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _shift_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> Position:
    """A GPS (WGS-84) position as mainland China's published maps draw it (GCJ-02)."""
    if not in_mainland_china(lon, lat):
        return lon, lat
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> Position:
    """The WGS-84 position a GCJ-02 one was shifted from, to well under a centimetre."""
    if not in_mainland_china(lon, lat):
        return lon, lat
    guess_lon, guess_lat = lon, lat
    for _step in range(30):
        shifted_lon, shifted_lat = wgs84_to_gcj02(guess_lon, guess_lat)
        err_lon, err_lat = shifted_lon - lon, shifted_lat - lat
        guess_lon, guess_lat = guess_lon - err_lon, guess_lat - err_lat
        if abs(err_lon) < 1e-10 and abs(err_lat) < 1e-10:
            break
    return guess_lon, guess_lat


def gcj02_to_bd09(lon: float, lat: float) -> Position:
    """A GCJ-02 position in Baidu's BD-09."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _BD_X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> Position:
    """A Baidu BD-09 position in GCJ-02."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lon: float, lat: float) -> Position:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def distance_m(a: Position, b: Position) -> float:
    """Great-circle distance in metres between two (longitude, latitude) positions."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def line_positions(value) -> list[Position]:
    """The positions of a GeoJSON LineString (a path), checked."""
    coordinates = _geometry(value, "LineString")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise ValidationError(_("A path needs at least two points."), code="short")
    return [
        _position(p, _("Point %(n)s of the path") % {"n": i})
        for i, p in enumerate(coordinates, start=1)
    ]


def validate_point_or_line(value) -> None:
    """A model field validator: a GeoJSON Point or LineString."""
    if isinstance(value, dict) and value.get("type") == "LineString":
        line_positions(value)
    else:
        point_of(value)


def positions(value) -> list[Position]:
    """Every position of a Point, LineString or Polygon (outer ring), for bounds and checks."""
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "Point":
        return [point_of(value)]
    if kind == "LineString":
        return line_positions(value)
    return polygon_rings(value)[0][:-1]
