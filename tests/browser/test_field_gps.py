"""In Chromium at 375 px, in Chinese, a farm manager stands at a tree, taps "use my location"
and saves: the tree's position and the phone's accuracy are stored."""

import os

import pytest

from nursery.models import SpecimenTree
from tests.nursery.factories import SpeciesFactory, ZoneFactory
from tests.nursery.map_fixtures import ZONE_A, draw_park
from tests.tickets.factories import PASSWORD, user_in_role

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HUAGU_SCREENSHOTS")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_saves_a_trees_position_from_the_phones_gps(browser, live_server, csp_watch):
    draw_park()
    user_in_role("Farm managers", username="farmer")
    zone = ZoneFactory(code="A1", boundary=ZONE_A)
    tree = SpecimenTree.objects.create(tag="T042", species=SpeciesFactory(name="银杏"), zone=zone)
    context = csp_watch.watch(
        browser.new_context(
            viewport={"width": 375, "height": 812},
            device_scale_factor=1,
            locale="zh-CN",
            permissions=["geolocation"],
            geolocation={"latitude": 30.5052345, "longitude": 106.6051234, "accuracy": 6},
        )
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/field/")
        page.fill("input[name=username]", "farmer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/field/")

        page.click("text=树木定位")
        page.wait_for_selector("[data-gps-form]")
        page.select_option("#id_t-tree", "T042")
        page.click("[data-gps-locate]")
        status = page.locator("[data-gps-status]")
        status.filter(has_text="米").wait_for()
        assert "精度 6 米" in status.inner_text(), status.inner_text()
        assert "30.505235" in status.inner_text() and "106.605123" in status.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/field-gps-found.png", full_page=True)

        page.click(".nursery-form button[type=submit]")
        page.wait_for_selector(".message")
        assert "古树 T042 的位置已保存，精度 6.0 米。" in page.inner_text(".messages")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/field-gps-saved.png", full_page=True)
    finally:
        context.close()

    tree.refresh_from_db()
    assert tree.location == {"type": "Point", "coordinates": [106.6051234, 30.5052345]}
    assert str(tree.location_accuracy_m) == "6.0"
