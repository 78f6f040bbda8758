"""Paying with Alipay in Chromium on a 375 px phone browser, against the fake Alipay gateway.

The tourist books two tickets, is sent on to Alipay's phone-website cashier (the fake's),
pays there, and comes back to the order, which shows the QR tickets; Alipay's
notification reached the site and was answered ``success``.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets.models import Order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)


def test_in_a_phone_browser_a_tourist_pays_on_alipays_cashier_and_sees_the_qr_tickets(
    browser, live_server, csp_watch, fake_alipay
):
    fake = fake_alipay
    csp_watch.elsewhere.append(fake.url)  # Alipay's cashier is Alipay's page, not the site's
    TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    day = timezone.localdate() + datetime.timedelta(days=7)
    SlotFactory(date=day, starts_at=datetime.time(9), ends_at=datetime.time(10), capacity=40)
    context = csp_watch.watch(
        browser.new_context(viewport=PHONE, locale="zh-CN", user_agent=ANDROID_CHROME)
    )
    page = context.new_page()

    page.goto(f"{live_server.url}/tickets/?date={day:%Y-%m-%d}")
    page.get_by_label(re.compile("09:00")).check()
    page.get_by_label("成人票").fill("2")
    page.get_by_label("手机号码").fill("138 0000 2001")
    page.get_by_label("姓名").fill("演示游客")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认并支付").click()

    page.wait_for_url(f"{fake.url}/**")
    assert "120.00" in page.content()
    [trade] = fake.trades.values()
    assert trade["product_code"] == "QUICK_WAP_WAY"
    page.get_by_role("button", name="确认付款").click()

    page.wait_for_url(re.compile(r"/tickets/order/[^/]+/\?paid=1"))
    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    [(url, status, body)] = fake.deliveries
    assert (url.endswith("/payments/alipay/notify/"), status, body) == (True, 200, "success")
    cards = page.locator(".ticket-card")
    assert cards.count() == 2
    codes = set(order.tickets.values_list("code", flat=True))
    assert set(cards.locator(".ticket-card__code").all_inner_texts()) == codes
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
