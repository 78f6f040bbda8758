"""On a 360 px phone in Chinese, a tap on a day shows its entry times and prices at once, and
the tourist reaches the order in four page loads: booking page, summary, confirmation, order."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets.models import Order, SeasonPrice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 780}


def test_a_tap_on_a_day_shows_its_times_and_the_order_comes_in_four_page_loads(
    browser, live_server, settings, csp_watch
):
    settings.STRIPE_SECRET_KEY = ""
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    plain, peak = next_month + datetime.timedelta(days=2), next_month + datetime.timedelta(days=3)
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    SeasonPrice.objects.create(
        ticket_type=adult, name="花期", starts_on=peak, ends_on=peak, price=Decimal("80.00")
    )
    SlotFactory(date=plain, starts_at=datetime.time(9), ends_at=datetime.time(10))
    SlotFactory(date=peak, starts_at=datetime.time(14), ends_at=datetime.time(15))
    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()
    loads = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)

    page.goto(f"{live_server.url}/tickets/?month={next_month:%Y-%m}")
    expect(page.locator("form.booking-form")).to_be_hidden()
    page.locator(f'a[data-day="{plain:%Y-%m-%d}"]').click()
    expect(page.get_by_label(re.compile("09:00"))).to_be_visible()
    expect(page.locator(".qty-row__price")).to_have_text("¥60.00")

    # Another day: its own times and its season's price, the first day's time gone.
    page.locator(f'a[data-day="{peak:%Y-%m-%d}"]').click()
    expect(page.get_by_label(re.compile("14:00"))).to_be_visible()
    expect(page.get_by_label(re.compile("09:00"))).to_be_hidden()
    expect(page.locator(".qty-row__price")).to_have_text("¥80.00")
    expect(page.locator("#tickets-heading")).to_have_text(re.compile(f"{peak.day}日"))
    assert page.url.endswith(f"?date={peak:%Y-%m-%d}#tickets")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label(re.compile("14:00")).check()
    page.get_by_label("成人票").fill("2")
    page.get_by_label("手机号码").fill("138 0013 8000")
    page.get_by_label("姓名").fill("王小花")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#confirmation-goes")).to_be_visible()
    assert "¥160.00" in page.locator("main").inner_text()
    page.get_by_role("button", name=re.compile("^确认预订")).click()
    page.wait_for_url(re.compile(r"/tickets/order/[^/]+/$"))
    expect(page.locator(".ticket-card")).to_have_count(2)

    order = Order.objects.get()
    assert (order.slot.date, order.quantity, order.total) == (peak, 2, Decimal("160.00"))
    assert len(loads) == 4, loads
