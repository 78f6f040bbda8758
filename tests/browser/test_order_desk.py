"""On a 360 px phone, in Chinese, a ticket desk user finds an order by the visitor's phone number,
moves it to another day, refunds one of its tickets through (the fake) Stripe, resends the
confirmation, and reads all of it in the order's log."""

import datetime
import re
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.tickets.factories import (
    PASSWORD,
    TicketTypeFactory,
    order_for,
    paid_by_stripe,
    user_in_role,
    whole_day_slot,
)
from tests.tickets.fake_stripe import FakeStripe
from tourism.models import TicketType
from tourism.tickets.models import Order, Refund, Slot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}

NO_WIDER_THAN_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def fake_stripe_live(settings):
    fake = FakeStripe(api_key="sk_test_fake", webhook_secret="whsec_test").start()
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
    settings.STRIPE_PAYMENT_METHODS = ["card", "alipay", "wechat_pay"]
    previous = stripe.api_base
    stripe.api_base = fake.url
    yield fake
    stripe.api_base = previous
    fake.stop()


def test_a_desk_user_finds_an_order_by_phone_moves_it_refunds_a_ticket_and_reads_the_log(
    browser, live_server, fake_stripe_live, csp_watch
):
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    child = TicketTypeFactory(
        name="儿童票", name_en="Child", audience=TicketType.Audience.CHILD, price=Decimal("30.00")
    )
    day = timezone.localdate() + datetime.timedelta(days=4)
    booked_day = whole_day_slot(day, capacity=30)
    later_day = whole_day_slot(day + datetime.timedelta(days=2), capacity=30)
    order = paid_by_stripe(
        fake_stripe_live,
        booked_day,
        {adult: 2, child: 1},
        name="李秀英",
        phone="139 0831 2468",
        email="li@example.cn",
    )
    someone_else = order_for(booked_day, {adult: 1}, name="张伟")
    clerk = user_in_role("Gate staff", username="desk")
    UserProfile.objects.update_or_create(user=clerk, defaults={"preferred_language": "zh-hans"})
    mail.outbox.clear()

    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    # Tickets → Orders; the phone number as the visitor reads it out, without spaces.
    page.goto(f"{live_server.url}/admin/tickets/orders/")
    search = page.locator("input[name=q]").first
    search.fill("13908312468")
    search.press("Enter")
    page.wait_for_function(f"() => !document.body.innerText.includes({someone_else.reference!r})")
    page.get_by_role("link", name=order.reference).click()
    page.wait_for_url(re.compile(r"/admin/tickets/orders/inspect/\d+/$"))
    assert "李秀英" in page.inner_text("main")
    assert page.evaluate(NO_WIDER_THAN_THE_SCREEN)
    # Each action is a button of one line that shows its label, inside the screen.
    for action in page.locator(".order-desk__action-list a").all():
        box = action.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], action.inner_text()
        assert box["height"] < 48, action.inner_text()
        assert action.inner_text().strip()

    # Move it two days on.
    page.get_by_role("link", name="改到其他日期或时段").click()
    page.fill("#move-date", f"{later_day.date:%Y-%m-%d}")
    page.get_by_role("button", name="显示入园时段").click()
    page.get_by_label(re.compile("全天")).check()
    page.get_by_label("确认执行").check()
    page.get_by_role("button", name="改期").click()
    page.wait_for_url(re.compile(r"/inspect/\d+/$"))
    assert f"已改到 {later_day.date:%Y-%m-%d}" in page.inner_text(".messages")
    assert page.locator("[data-visit]").inner_text().startswith(f"{later_day.date:%Y-%m-%d}")

    # Refund the child's ticket: ¥30 back through Stripe.
    child_ticket = order.tickets.get(ticket_type=child)
    page.get_by_role("link", name="退票").click()
    page.get_by_label(re.compile(child_ticket.code)).check()
    page.get_by_label("确认执行").check()
    page.get_by_role("button", name="退所选门票").click()
    page.wait_for_url(re.compile(r"/inspect/\d+/$"))
    assert "¥30.00 已原路退回" in page.inner_text(".messages")

    # Tell the visitor: the confirmation again, in the language she booked in.
    page.get_by_role("link", name="重发确认邮件").click()
    page.get_by_label("是的，再发一次").check()
    page.get_by_role("button", name="发送邮件").click()
    page.wait_for_url(re.compile(r"/inspect/\d+/$"))
    assert "li@example.cn" in page.inner_text(".messages")

    log = page.locator("[data-log]").inner_text()
    assert f"由 {booked_day.date:%Y-%m-%d} 全天 改到 {later_day.date:%Y-%m-%d} 全天" in log
    assert f"门票 {child_ticket.code} 已退" in log and "¥30.00 已原路退回" in log
    assert "确认邮件已重发至 li@example.cn" in log
    assert log.count("desk") == 3
    assert page.evaluate(NO_WIDER_THAN_THE_SCREEN)
    context.close()

    # What the browser did, by the records: Stripe refunded ¥30 once, the places moved.
    assert [r["amount"] for r in fake_stripe_live.refunds.values()] == [3000]
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("30.00")]
    order.refresh_from_db()
    assert (order.slot_id, order.quantity, order.total) == (
        later_day.pk,
        2,
        Decimal("120.00"),
    )
    assert order.status == Order.Status.PAID
    assert Slot.objects.get(pk=booked_day.pk).taken == 1  # someone else's order
    assert Slot.objects.get(pk=later_day.pk).taken == 2
    assert {m.to[0] for m in mail.outbox} == {"li@example.cn"}
    assert all(f"{later_day.date:%Y-%m-%d}" in m.subject for m in mail.outbox)
