"""The visit page's "navigate" links carry the entrance in each app's own datum, and the page says things once."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import translation
from wagtail.models import Site

from core import geo
from core.park_map import Facility, ParkMap
from tourism.models import SiteSettings
from tourism.navigation import navigation_links, park_destination

ENTRANCE = (106.6284512, 30.4731178)  # WGS-84, near Guang'an


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    params = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in params.values())
    return {key: values[0] for key, values in params.items()}


def by_app(links) -> dict:
    return {link.app: link for link in links}


def test_each_app_gets_the_entrance_in_its_own_datum():
    gcj_lon, gcj_lat = geo.wgs84_to_gcj02(*ENTRANCE)
    bd_lon, bd_lat = geo.gcj02_to_bd09(gcj_lon, gcj_lat)
    links = by_app(navigation_links(position=ENTRANCE, name="大地花谷"))

    amap = urlsplit(links["amap"].url)
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/navigation")
    lon, lat, name = query(links["amap"].url)["to"].split(",")
    assert (float(lon), float(lat)) == (round(gcj_lon, 6), round(gcj_lat, 6))
    assert name == "大地花谷"
    assert query(links["amap"].url)["coordinate"] == "gaode"

    baidu = urlsplit(links["baidu"].url)
    assert (baidu.netloc, baidu.path) == ("api.map.baidu.com", "/marker")
    lat, lon = query(links["baidu"].url)["location"].split(",")  # Baidu wants latitude first
    assert (float(lon), float(lat)) == (round(bd_lon, 6), round(bd_lat, 6))
    assert query(links["baidu"].url)["coord_type"] == "bd09ll"
    assert query(links["baidu"].url)["title"] == "大地花谷"

    apple = urlsplit(links["apple"].url)
    assert (apple.netloc, apple.path) == ("maps.apple.com", "/")
    lat, lon = query(links["apple"].url)["ll"].split(",")
    assert (float(lon), float(lat)) == (round(gcj_lon, 6), round(gcj_lat, 6))
    assert query(links["apple"].url)["q"] == "大地花谷"


def test_the_links_are_not_the_raw_gps_point():
    # The shift is the whole point: handing over WGS-84 unchanged lands ~500 m off here.
    links = by_app(navigation_links(position=ENTRANCE, name="x"))
    lon, lat, _name = query(links["amap"].url)["to"].split(",")
    assert geo.distance_m((float(lon), float(lat)), ENTRANCE) > 100
    lat, lon = query(links["baidu"].url)["location"].split(",")
    assert geo.distance_m((float(lon), float(lat)), ENTRANCE) > 100


def test_the_name_is_url_encoded():
    name = "Dadi Flower Valley & Gardens, 花谷/#1?"
    for link in navigation_links(position=ENTRANCE, name=name):
        raw = urlsplit(link.url).query
        assert " " not in raw and "#" not in link.url and "花" not in raw
        assert "%E8%8A%B1%E8%B0%B7" in raw  # 花谷 in UTF-8, percent-encoded
        assert "&Gardens" not in raw  # the ampersand in the name cannot start a parameter
        values = query(link.url)
        label = values.get("q") or values.get("title") or values["to"].split(",", 2)[2]
        # Amap separates its fields by commas, so the name's own comma becomes a space.
        assert label in (name, name.replace(",", " "))


def test_the_entrance_is_preferred_then_the_settings_then_nothing(db):
    park_map = ParkMap.load()
    park = SiteSettings(latitude="30.470000", longitude="106.630000")
    park_map.entrance = geo.point(*ENTRANCE)
    assert park_destination(park_map=park_map, park=park) == ENTRANCE
    park_map.entrance = None
    assert park_destination(park_map=park_map, park=park) == (106.63, 30.47)
    park.latitude = park.longitude = None
    assert park_destination(park_map=park_map, park=park) is None


# --- the visit page --------------------------------------------------------------------------


@pytest.fixture
def visit_site(site_tree):
    park = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    park.wechat_id = "dadihuagu"
    park.wechat_qr = site_tree.images[0]
    park.save()
    Facility.objects.create(
        kind=Facility.Kind.PARKING,
        name="大门停车场",
        name_en="Main gate car park",
        note="免费，约200个车位",
        note_en="Free, about 200 spaces",
        location=geo.point(106.6301, 30.4702),
    )
    return site_tree


def fetch(page, language: str) -> str:
    with translation.override(language):
        response = Client().get(page.url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_visit_page_shows_hours_and_address_once(visit_site, language):
    page = visit_site.zh.visit if language == "zh-hans" else visit_site.en.visit
    html = fetch(page, language)
    assert html.count('<table class="hours">') == 1
    assert html.count("08:30–18:00") == 7  # one row per weekday, in one table
    address = "四川省广安市广安区大龙镇自力村" if language == "zh-hans" else "Zili village"
    assert html.count(address) == 1
    other_page = visit_site.zh.home if language == "zh-hans" else visit_site.en.home
    assert fetch(other_page, language).count('<table class="hours">') >= 1  # the footer elsewhere


def test_the_visit_page_links_to_the_settings_point_with_parking_and_wechat(visit_site):
    html = fetch(visit_site.zh.visit, "zh-hans")
    gcj_lon, gcj_lat = geo.wgs84_to_gcj02(106.6, 30.4)  # the fixture's settings point
    expected = f"{gcj_lon:.6f},{gcj_lat:.6f}"
    assert f"https://uri.amap.com/navigation?to={expected}," in html
    assert f"ll={gcj_lat:.6f},{gcj_lon:.6f}" in html
    assert "大门停车场" in html and "免费，约200个车位" in html
    wechat = re.search(r'<section class="panel panel--wide wechat-follow".*?</section>', html, re.S)
    assert "<strong>dadihuagu</strong>" in wechat.group()  # the account by name ...
    assert re.search(r'<img src="[^"]+" [^>]*alt="[^"]*dadihuagu', wechat.group())  # ... by its QR


def test_the_visit_page_uses_the_drawn_entrance(visit_site):
    park_map = ParkMap.load()
    park_map.entrance = geo.point(*ENTRANCE)
    park_map.save()
    html = fetch(visit_site.zh.visit, "zh-hans")
    gcj_lon, gcj_lat = geo.wgs84_to_gcj02(*ENTRANCE)
    assert f"to={gcj_lon:.6f},{gcj_lat:.6f}," in html


def test_no_links_without_a_location(visit_site):
    park = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    park.latitude = park.longitude = None
    park.save()
    html = fetch(visit_site.zh.visit, "zh-hans")
    assert "uri.amap.com" not in html and "api.map.baidu.com" not in html
    assert "maps.apple.com" not in html
