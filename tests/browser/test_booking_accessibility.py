"""The booking pages meet WCAG AA colour contrast and keep their headings in order, per axe-core.

axe-core (bundled by axe-playwright-python) runs in Debian's Chromium on each step of a
booking, in both languages: the month calendar, a chosen date with its form, the form
with its errors, the summary, and the order page. The browser context bypasses the
site's Content-Security-Policy so that the test can inject axe's script.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory, order_for
from tourism.models import TicketType
from tourism.tickets.models import ClosedDay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
RULES = ["color-contrast", "heading-order", "page-has-heading-one"]


@pytest.fixture
def park(db):
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    TicketTypeFactory(
        name="儿童票", name_en="Child", audience=TicketType.Audience.CHILD, price=Decimal("30.00")
    )
    visit_date = timezone.localdate() + datetime.timedelta(days=7)
    slot = SlotFactory(
        date=visit_date, starts_at=datetime.time(10), ends_at=datetime.time(11), capacity=40
    )
    # A sold-out and a closed day beside it, so the calendar shows those kinds of day too.
    SlotFactory(date=visit_date + datetime.timedelta(days=1), capacity=1, taken=1)
    ClosedDay.objects.create(date=visit_date + datetime.timedelta(days=2), reason="检修")
    order = order_for(slot, {adult: 2})
    return slot, adult, order


def violations(page, axe) -> list[str]:
    """axe's violations of the rules, one line per offending element."""
    results = axe.run(page, options={"runOnly": {"type": "rule", "values": RULES}})
    checked = {rule["id"] for kind in ("passes", "violations") for rule in results.response[kind]}
    assert "color-contrast" in checked, f"axe checked no text's contrast on {page.url}"
    return [
        f"{violation['id']}: {node['target']} {node.get('failureSummary', '').splitlines()[-1]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def test_booking_pages_meet_colour_contrast_and_heading_order(browser, live_server, park):
    from axe_playwright_python.sync_playwright import Axe

    slot, adult, order = park
    axe = Axe()
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    failures = []

    def check(step: str) -> None:
        failures.extend(f"{step}: {line}" for line in violations(page, axe))

    for prefix in ("/en", ""):
        step = prefix or "/"
        base = f"{live_server.url}{prefix}/tickets/"
        # This month (with its past days) and the visit's month (sold-out and bookable days).
        for month in sorted({f"{day:%Y-%m}" for day in (timezone.localdate(), slot.date)}):
            page.goto(f"{base}?month={month}")
            check(f"{step} calendar {month}")
        page.goto(f"{base}?date={slot.date:%Y-%m-%d}")
        check(f"{step} date chosen")
        page.locator(".booking-form button[type=submit]").click()
        page.locator("[aria-invalid=true]").first.wait_for()
        check(f"{step} form with errors")
        page.locator(f'input[name="slot"][value="{slot.pk}"]').check()
        page.locator(f'input[name="qty_{adult.pk}"]').fill("2")
        page.locator('input[name="name"]').fill("王小花")
        page.locator('input[name="phone"]').fill("138 0000 0000")
        page.locator('input[name="email"]').fill("xiaohua@example.com")
        page.locator(".booking-form button[type=submit]").click()
        page.locator(".total").wait_for()
        check(f"{step} summary")
        page.goto(f"{live_server.url}{prefix}/tickets/order/{order.token}/")
        check(f"{step} order")
    context.close()
    assert not failures, f"{len(failures)} problem(s):\n  " + "\n  ".join(failures)
