"""A tourist who lost the booking email finds the order by phone number and cancels it.

On a 375 px phone, in Chinese: from the booking page's link to the lookup page, the code
read from what the console text-message provider printed, the order listed with its
tickets, and cancelled within the cut-off; its places go back on sale.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets import services
from tourism.tickets.models import Order
from tourism.tickets.payments.gate import GateProvider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


def test_a_tourist_finds_the_order_by_phone_with_a_code_and_cancels_it(
    browser, live_server, csp_watch, capsys, settings
):
    settings.SMS_PROVIDER = "console"
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    slot = SlotFactory(
        date=timezone.localdate() + datetime.timedelta(days=7),
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        capacity=40,
    )
    order = services.order_create(
        slot_id=slot.pk,
        quantities={adult.pk: 2},
        contact=services.Contact("王小花", "138 0000 1234", "xiaohua@example.com"),
        provider=GateProvider(),
    )
    capsys.readouterr()
    base = live_server.url

    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()
    page.goto(f"{base}/tickets/")
    page.get_by_role("link", name="找回我的门票").first.click()
    page.wait_for_url(f"{base}/tickets/find/")
    assert page.get_by_role("heading", level=1).inner_text() == "找回我的门票"

    # A wrong number first: the page says why.
    page.get_by_label("手机号或电子邮箱").fill("12345")
    page.get_by_role("button", name="获取验证码").click()
    assert "11 位" in page.locator(".field-error").inner_text()

    page.get_by_label("手机号或电子邮箱").fill("+86 138 0000 1234")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(f"{base}/tickets/find/code/")
    assert "138****1234" in page.locator("main").inner_text()
    printed = capsys.readouterr().out
    assert "SMS to 13800001234" in printed
    code = re.search(r"验证码是 (\d{6})", printed).group(1)

    page.get_by_label("六位验证码").fill(code)
    page.get_by_role("button", name="查看我的预订").click()
    page.wait_for_url(f"{base}/tickets/find/orders/")
    booking = page.locator(".lookup-order")
    assert booking.count() == 1
    assert order.reference in booking.inner_text()
    assert "成人票 × 2" in booking.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Its tickets, one tap away; then back to the list.
    booking.get_by_role("link", name="出示门票").click()
    page.wait_for_url(re.compile(r"/tickets/order/"))
    assert page.locator(".ticket-card").count() == 2
    page.go_back()

    page.get_by_role("button", name=f"取消订单 {order.reference}").click()
    page.wait_for_url(f"{base}/tickets/find/orders/")
    assert f"订单 {order.reference} 已取消" in page.locator(".messages").inner_text()
    assert "没有即将到来的预订" in page.locator("main").inner_text()

    order.refresh_from_db()
    slot.refresh_from_db()
    assert (order.status, slot.taken) == (Order.Status.CANCELLED, 0)

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{base}/tickets/find/")
    page.goto(f"{base}/tickets/find/orders/")
    page.wait_for_url(f"{base}/tickets/find/")
