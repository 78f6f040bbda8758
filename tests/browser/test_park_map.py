"""In Chromium at 375 px, in Chinese: the park map works on a phone with nothing but the site.

The park is drawn by tests/tourism/park_map_fixture.py (not the demo): a plan image as the
base map, five outlined zones of which three flower this month, two placed public trees,
one dead, one attraction in flower and one not, and the five kinds of facility.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.tourism.park_map_fixture import build_park

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"

# The keys of the shapes Leaflet drew, and of the list rows on show.
DRAWN = """() => [...document.querySelectorAll('#park-map-canvas [data-key]')]
  .map((e) => e.getAttribute('data-key')).sort()"""
LISTED = """() => [...document.querySelectorAll('[data-park-map-list] li[data-key]')]
  .filter((e) => e.checkVisibility()).map((e) => e.getAttribute('data-key')).sort()"""


def expected_blooming_zones(park) -> set[str]:
    return {
        f"zone:{code}"
        for code, standing in park.standing.items()
        if any(park.this in park.months[name] for name in standing.get("species", []))
        or any(park.this in months for months in standing.get("attractions", []))
    }


def phone(browser, live_server, serve_media, csp_watch, **options):
    context = csp_watch.watch(
        browser.new_context(
            viewport={"width": 375, "height": 812},
            device_scale_factor=2,
            locale="zh-CN",
            has_touch=True,
            **options,
        )
    )
    hosts = []
    context.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
    context.route("**/media/**", serve_media)
    return context, hosts


def test_the_park_map_on_a_phone(
    browser, live_server, home_page, locales, make_image, serve_media, csp_watch
):
    park = build_park(home=home_page, locales=locales, make_image=make_image)
    site = urlsplit(live_server.url).netloc
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    inside = park.trees["T001"].location["coordinates"]
    context, hosts = phone(
        browser,
        live_server,
        serve_media,
        csp_watch,
        geolocation={"longitude": inside[0], "latitude": inside[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(live_server.url + "/map/", wait_until="networkidle")

    # The base map is the park plan, drawn from the site itself, and loaded.
    plan = page.locator("#park-map-canvas img.leaflet-image-layer")
    assert plan.evaluate("(img) => img.complete && img.naturalWidth > 0")
    assert urlsplit(plan.get_attribute("src")).path.startswith("/media/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "公园地图"
    # The zoom buttons are named in Chinese too (their tooltip and what a screen reader says).
    zoom_in = page.locator(".leaflet-control-zoom-in")
    assert (zoom_in.get_attribute("title"), zoom_in.get_attribute("aria-label")) == ("放大", "放大")
    zoom_out = page.locator(".leaflet-control-zoom-out")
    assert zoom_out.get_attribute("title") == "缩小"
    page.screenshot(path=str(SCREENSHOTS / "park-map-375.png"))

    # Every shape on the map is a row of the list, and every row a shape.
    drawn = page.evaluate(DRAWN)
    assert drawn == page.evaluate(LISTED)
    zones = {key for key in drawn if key.startswith("zone:")}
    assert zones == {"zone:A1", "zone:B1", "zone:C1", "zone:E1", "zone:F1"}
    assert "tree:T001" in drawn and "tree:T002" in drawn and "tree:T003" not in drawn

    # "In bloom now" hides the zones (and attractions) not in flower; the list follows.
    page.get_by_role("checkbox", name="正在开花").check()
    drawn_in_bloom = page.evaluate(DRAWN)
    assert {k for k in drawn_in_bloom if k.startswith("zone:")} == expected_blooming_zones(park)
    assert f"attraction:{park.later.pk}" not in drawn_in_bloom
    assert f"attraction:{park.attraction.pk}" in drawn_in_bloom
    assert drawn_in_bloom == page.evaluate(LISTED)
    assert "bloom=1" in page.url
    page.screenshot(path=str(SCREENSHOTS / "park-map-in-bloom-375.png"))
    page.get_by_role("checkbox", name="正在开花").uncheck()
    assert page.evaluate(DRAWN) == drawn

    # Switching toilets off hides them; the list follows.
    toilet = f"facility:{park.facilities['toilet'].pk}"
    page.get_by_role("checkbox", name="卫生间").uncheck()
    assert toilet not in page.evaluate(DRAWN) and toilet not in page.evaluate(LISTED)
    page.get_by_role("checkbox", name="卫生间").check()

    # You are here: the phone's position inside the park, with its accuracy circle.
    page.get_by_role("button", name="你在这里").click()
    page.locator("path.pm-here").wait_for()
    assert "12" in page.locator("[data-park-map-message]").inner_text()
    context.set_geolocation({"longitude": 106.70, "latitude": 30.50})
    page.get_by_role("button", name="你在这里").click()
    page.get_by_text("你似乎不在园区内").wait_for()
    assert page.locator("path.pm-here").count() == 0

    # Tapping a tree opens its card; the card leads to its passport.
    page.locator('.leaflet-marker-icon[data-key="tree:T001"]').tap()
    card = page.locator("[data-park-map-card]")
    card.wait_for(state="visible")
    assert card.locator("h2").inner_text() == "银杏 T001"
    assert card.locator("img").evaluate("(img) => img.complete && img.naturalWidth > 0")
    assert "at=tree%3AT001" in page.url or "at=tree:T001" in page.url
    page.screenshot(path=str(SCREENSHOTS / "park-map-card-375.png"))
    card.get_by_role("link", name="名木档案").tap()
    page.wait_for_url("**/trees/T001/")
    page.wait_for_load_state("networkidle")

    # The passport's small map shows the tree, on the plan, inside the map's frame.
    small = page.locator(".small-map__canvas.is-drawn")
    small.scroll_into_view_if_needed()
    marker = small.locator('[data-key="tree:T001"]')
    frame, spot = small.bounding_box(), marker.bounding_box()
    assert frame["x"] <= spot["x"] + spot["width"] / 2 <= frame["x"] + frame["width"]
    assert frame["y"] <= spot["y"] + spot["height"] / 2 <= frame["y"] + frame["height"]
    assert small.locator("img.leaflet-image-layer").evaluate("(i) => i.naturalWidth > 0")
    page.screenshot(path=str(SCREENSHOTS / "park-map-passport-375.png"), full_page=True)
    page.get_by_role("link", name="在公园地图上查看").click()
    page.wait_for_url("**/map/?at=tree*")
    page.locator("[data-park-map-card]").wait_for(state="visible")
    assert page.locator("[data-park-map-card] h2").inner_text() == "银杏 T001"

    # The tree list's map shows the trees the page lists.
    page.goto(live_server.url + "/trees/", wait_until="networkidle")
    beside = page.locator(".small-map__canvas.is-drawn")
    assert sorted(
        beside.locator("[data-key]").evaluate_all("(els) => els.map((e) => e.dataset.key)")
    ) == ["tree:T001", "tree:T002"]
    page.screenshot(path=str(SCREENSHOTS / "park-map-tree-list-375.png"), full_page=True)

    # Nothing on the way left the site: no tiles, fonts or scripts from elsewhere.
    assert set(hosts) == {site}, set(hosts) - {site}
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_refused_location_is_explained(
    browser, live_server, home_page, locales, make_image, serve_media, csp_watch
):
    build_park(home=home_page, locales=locales, make_image=make_image)
    context, _hosts = phone(browser, live_server, serve_media, csp_watch)
    page = context.new_page()
    page.goto(live_server.url + "/map/", wait_until="networkidle")
    page.get_by_role("button", name="你在这里").click()
    page.get_by_text("没有共享你的位置").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "park-map-refused-375.png"))
    context.close()
