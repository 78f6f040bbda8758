"""The booking form as a tourist finds it on a 375 px phone, in Chinese and on the English e-ticket.

One live server and one browser context for the whole walk: 姓名 for the contact's name,
the phone first and checked, no email needed (and the page says where the tickets are),
the status pill on one line, one full stop after the cancellation time.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets.models import Order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}

# How many lines the element's text takes, from the boxes of its text.
LINES_OF_TEXT = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}"""


def test_a_tourist_books_without_email_on_a_phone_and_reads_the_e_ticket(
    browser, live_server, settings, csp_watch
):
    settings.STRIPE_SECRET_KEY = ""
    settings.TICKETS_CANCEL_CUTOFF_HOURS = 24
    TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    slot = SlotFactory(
        date=timezone.localdate() + datetime.timedelta(days=7),
        starts_at=datetime.time(10),
        ends_at=datetime.time(11),
        capacity=40,
    )
    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()

    page.goto(f"{live_server.url}/tickets/?date={slot.date:%Y-%m-%d}")
    contact = page.locator("fieldset", has=page.locator("#id_phone"))
    labels = contact.locator("label").all_inner_texts()
    assert labels == ["手机号码", "姓名", "邮箱（选填）"]
    assert "名称" not in page.locator("main").inner_text()

    page.get_by_label("10:00").check()
    page.get_by_label("成人票").fill("2")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_label("姓名").fill("王小花")
    page.get_by_role("button", name="下一步").click()
    assert "请填写中国大陆手机号" in page.locator("#id_phone-error").inner_text()
    assert Order.objects.count() == 0

    page.get_by_label("手机号码").fill("138 0013 8000")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#confirmation-goes")).to_be_visible()  # the summary has come
    summary = page.locator("main").inner_text()
    assert "姓名" in summary and "名称" not in summary
    assert "不会发送确认邮件" in page.locator("#confirmation-goes").inner_text()
    page.get_by_role("button", name="确认预订，到园付款").click()
    page.wait_for_selector(".ticket-card")

    order = Order.objects.get()
    assert (order.contact_phone, order.contact_email, order.quantity) == ("13800138000", "", 2)
    assert "未填写邮箱" in page.locator("#confirmation-goes").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The same e-ticket in English: the longest status on one line, one full stop.
    page.goto(f"{live_server.url}/en/tickets/order/{order.token}/")
    pill = page.locator(".summary-list .status")
    assert pill.inner_text() == "Reserved, pay at the gate"
    assert pill.evaluate(LINES_OF_TEXT) == 1
    cancel = page.locator("#cancel-heading + p").inner_text()
    assert "10 a.m., any payment is refunded in full." in cancel
    assert ".." not in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
