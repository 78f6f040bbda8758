"""In Chromium, a farm manager draws a zone's outline on the admin's map widget and saves it:
the zone's boundary is stored as a closed WGS-84 ring inside the park."""

import pytest

from core import geo
from tests.nursery.factories import ZoneFactory
from tests.nursery.map_fixtures import PARK, draw_park
from tests.tickets.factories import PASSWORD, user_in_role

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_draws_a_zone_outline_and_saves_it(browser, live_server):
    draw_park()
    user_in_role("Farm managers", username="farmer")
    zone = ZoneFactory(code="N1")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "farmer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(f"{live_server.url}/admin/snippets/nursery/zone/edit/{zone.pk}/")
        widget = page.locator(".map-widget__map")
        widget.scroll_into_view_if_needed()
        page.click(".leaflet-pm-icon-polygon")
        box = widget.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        corners = [(-60, -40), (60, -40), (60, 40), (-60, 40)]
        for dx, dy in corners:
            page.mouse.click(cx + dx, cy + dy)
        page.mouse.click(cx + corners[0][0], cy + corners[0][1])
        field = page.locator("textarea[name=boundary]")
        assert '"Polygon"' in field.input_value()
        page.click("button[type=submit]:has-text('保存')")
        page.wait_for_url("**/admin/snippets/nursery/zone/")
    finally:
        context.close()

    zone.refresh_from_db()
    ring = geo.polygon_rings(zone.boundary)[0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert geo.polygon_within(zone.boundary, PARK)
    assert geo.contains(zone.boundary, geo.centroid(PARK))
