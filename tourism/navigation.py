"""Getting to the park: links that open the visitor's map app with a route to the entrance.

Each app takes its own datum: Amap (高德) draws GCJ-02, Baidu BD-09, and Apple Maps in
mainland China draws GCJ-02 too, so a WGS-84 point handed over unchanged would land a few
hundred metres off. The entrance is stored in WGS-84 (``core.park_map.ParkMap.entrance``);
the park's settings' latitude and longitude stand in when no entrance is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import geo
from core.park_map import ParkMap

# Baidu asks callers to name themselves as "webapp.<company>.<app>"; Amap takes any name.
SOURCE = "huagu"
BAIDU_SOURCE = "webapp.huagu.visit"


@dataclass(frozen=True)
class NavigationLink:
    """One map app's link to the park, with the name it is known by."""

    app: str
    label: str
    url: str


def _degrees(value: float) -> str:
    # Six decimals are about ten centimetres: finer than any map app shows.
    return f"{value:.6f}"


def _query(params: dict[str, str]) -> str:
    # Commas separate longitude from latitude in these apps' parameters: left readable.
    return urlencode(params, quote_via=quote, safe=",")


def park_destination(*, park_map: ParkMap | None = None, park=None) -> geo.Position | None:
    """The park's entrance in WGS-84 (longitude, latitude), else the settings' point, else None.

    ``park`` is the site's ``SiteSettings`` (their latitude and longitude, also WGS-84).
    """
    park_map = park_map if park_map is not None else ParkMap.load()
    if park_map.entrance:
        try:
            return geo.point_of(park_map.entrance)
        except ValidationError:
            pass  # a shape saved around the checks must not break the visit page
    if park is not None and park.latitude is not None and park.longitude is not None:
        return float(park.longitude), float(park.latitude)
    return None


def navigation_links(*, position: geo.Position, name: str) -> list[NavigationLink]:
    """Links to ``position`` (WGS-84 longitude, latitude) in Amap, Baidu Maps and Apple Maps."""
    name = name.replace(",", " ").strip()  # Amap's ``to`` is "lon,lat,name"
    gcj_lon, gcj_lat = geo.wgs84_to_gcj02(*position)
    bd_lon, bd_lat = geo.gcj02_to_bd09(gcj_lon, gcj_lat)
    amap = {
        "to": f"{_degrees(gcj_lon)},{_degrees(gcj_lat)},{name}",
        "mode": "car",
        "coordinate": "gaode",
        "callnative": "1",
        "src": SOURCE,
    }
    baidu = {
        "location": f"{_degrees(bd_lat)},{_degrees(bd_lon)}",
        "title": name,
        "content": name,
        "coord_type": "bd09ll",
        "output": "html",
        "src": BAIDU_SOURCE,
    }
    apple = {"ll": f"{_degrees(gcj_lat)},{_degrees(gcj_lon)}", "q": name}
    return [
        NavigationLink("amap", _("Amap"), f"https://uri.amap.com/navigation?{_query(amap)}"),
        NavigationLink(
            "baidu", _("Baidu Maps"), f"https://api.map.baidu.com/marker?{_query(baidu)}"
        ),
        NavigationLink("apple", _("Apple Maps"), f"https://maps.apple.com/?{_query(apple)}"),
    ]


def park_navigation_links(*, park, name: str) -> list[NavigationLink]:
    """The visit page's links to the park's entrance; none when the park has no location."""
    position = park_destination(park=park)
    if position is None:
        return []
    return navigation_links(position=position, name=name)
