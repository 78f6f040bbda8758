"""In Chromium at 375 px, a farm manager records a planting on the quick form and sees the lot's on-hand drop."""

import pytest
from django.utils import timezone

from tests.tickets.factories import PASSWORD, user_in_role
from workforce.models import Crew

from .factories import ZoneFactory, make_lot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_records_a_planting_on_a_phone_and_sees_the_on_hand_drop(
    browser, live_server, csp_watch
):
    """Under the site's Content-Security-Policy: any violation fails the test."""
    user_in_role("Farm managers", username="farmer")
    Crew.objects.create(name="李组")
    lot = make_lot(40, code="GH-40", days=10)
    zone = ZoneFactory(code="B2", name="名贵古树园", name_en="Specimen-Tree Garden")
    context = csp_watch.watch(
        browser.new_context(
            viewport={"width": 375, "height": 812}, device_scale_factor=1, locale="en-GB"
        )
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/en/field/")
        page.fill("input[name=username]", "farmer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/en/field/")

        lot_option = page.locator("#id_p-lot option", has_text="GH-40")
        assert "(40)" in lot_option.inner_text()
        page.select_option("#id_p-zone", str(zone.pk))
        page.select_option("#id_p-lot", str(lot.pk))
        page.fill("#id_p-quantity", "6")
        page.fill("#id_p-planted_on", timezone.localdate().isoformat())
        page.select_option("#id_p-crew", "李组")
        width = page.evaluate("document.documentElement.scrollWidth")
        # The form's own button: the staff bar above it has a sign-out button too.
        page.click(".nursery-form button[type=submit]")
        page.wait_for_selector(".message")

        assert "Lot GH-40 now has 34 on hand." in page.inner_text(".messages")
        assert "(34)" in page.locator("#id_p-lot option", has_text="GH-40").inner_text()
        assert width <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
