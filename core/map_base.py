"""What every map of the park draws under its features, and in which datum.

With no tile service set (the default: no key, no network) the base is the park plan
image georeferenced by its four edges (Settings → Park map) and points are drawn as
stored, in WGS-84. With ``MAP_TILES_URL`` set the base is that service's tiles, drawn in
``MAP_TILES_DATUM``: on a GCJ-02 service every point is shifted before it is drawn, and a
point drawn on it is shifted back before it is saved (``site/static/js/map-base.js``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from . import geo
from .park_map import ParkMap

WGS84 = "wgs84"
GCJ02 = "gcj02"


def display_datum() -> str:
    """The datum the base layer is drawn in, and so every point shown on it."""
    if settings.MAP_TILES_URL and settings.MAP_TILES_DATUM.lower() == GCJ02:
        return GCJ02
    return WGS84


def to_display(position: geo.Position, datum: str | None = None) -> geo.Position:
    """A stored (WGS-84) position as the base layer draws it."""
    if (datum or display_datum()) == GCJ02:
        return geo.wgs84_to_gcj02(*position)
    return position


def geometry_for_display(value: dict | None, datum: str | None = None) -> dict | None:
    """A stored GeoJSON Point, LineString or Polygon shifted into the display datum."""
    if not value:
        return None
    datum = datum or display_datum()
    if datum == WGS84:
        return value

    def shift(p):
        lon, lat = to_display((p[0], p[1]), datum)
        return [round(lon, 7), round(lat, 7)]

    kind, coordinates = value["type"], value["coordinates"]
    if kind == "Point":
        return {"type": kind, "coordinates": shift(coordinates)}
    if kind == "LineString":
        return {"type": kind, "coordinates": [shift(p) for p in coordinates]}
    return {"type": kind, "coordinates": [[shift(p) for p in ring] for ring in coordinates]}


def map_base(park: ParkMap | None = None) -> dict:
    """The base layer's description for ``map-base.js``: tiles or the plan, the datum, and
    the zoom buttons' names in the reader's language (Leaflet's own are English)."""
    park = park or ParkMap.load()
    datum = display_datum()
    base: dict = {
        "datum": datum,
        "tiles": None,
        "plan": None,
        "bounds": None,
        "labels": {"zoomIn": gettext("Zoom in"), "zoomOut": gettext("Zoom out")},
    }
    if settings.MAP_TILES_URL:
        subdomains = [s for s in settings.MAP_TILES_SUBDOMAINS.split(",") if s]
        base["tiles"] = {
            "url": settings.MAP_TILES_URL,
            "subdomains": subdomains or ["a"],
            "attribution": settings.MAP_TILES_ATTRIBUTION,
            "maxZoom": settings.MAP_TILES_MAX_ZOOM,
        }
    elif park.plan_bounds:
        base["plan"] = {
            "url": park.plan_image.get_rendition("max-2400x2400|format-webp").url,
            "bounds": park.plan_bounds,
        }
    extent = park.plan_bounds if base["plan"] else None
    if park.boundary:
        corners = [to_display(c, datum) for c in geo.positions(park.boundary)]
        lons, lats = [c[0] for c in corners], [c[1] for c in corners]
        extent = [[min(lats), min(lons)], [max(lats), max(lons)]]
    base["bounds"] = extent
    return base
