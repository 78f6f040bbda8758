"""Real-name tickets on a 375 px phone, in Chinese, from booking to the gate.

A tourist books two adults and names them: the first ID number is mistyped, the page says
which visitor and why, and nothing is booked until it is fixed. The e-ticket shows each
visitor with a masked number. A second booking giving the same ID for the same date is
refused on the visitor's row. On the day, gate staff admit one visitor by the typed ID
number (what an ID-card reader types) and the other by the ticket's code.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.qr import read_qr
from tests.browser.test_box_office import sign_in
from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    id_number,
    real_name_on,
    user_in_role,
)
from tourism.tickets.models import Order, Slot, Ticket
from tourism.tickets.visitors import Visitor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
FIRST_ID = id_number("19850612", sequence="021")
SECOND_ID = id_number("19880203", sequence="042")


def mistyped(number: str) -> str:
    """``number`` with a wrong check character."""
    return number[:17] + ("1" if number[17] != "1" else "2")


def masked(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def book(page, base: str, visit: datetime.date, *, phone: str, adults: int) -> None:
    """The booking page's first step, up to the summary where visitors are named."""
    page.goto(f"{base}/tickets/?date={visit:%Y-%m-%d}")
    page.get_by_label(re.compile("09:00")).check()
    page.get_by_label("成人票").fill(str(adults))
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("姓名").fill("演示游客")
    page.get_by_role("button", name="下一步").click()
    page.wait_for_load_state()


def name_visitor(page, n: int, name: str, number: str) -> None:
    row = page.locator(f"#visitor-{n}")
    row.get_by_label("姓名").fill(name)
    row.get_by_label("证件", exact=True).select_option("id_card")
    row.get_by_label("证件号码").fill(number)


def test_two_named_adults_book_show_masked_ids_and_are_admitted_by_id_and_by_code(
    browser, live_server, csp_watch
):
    real_name_on()
    TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    visit = timezone.localdate() + datetime.timedelta(days=7)
    slot = SlotFactory(
        date=visit, starts_at=datetime.time(9), ends_at=datetime.time(10), capacity=40
    )
    base = live_server.url
    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()

    # Two adults; the first ID number mistyped: the row says why, nothing is booked.
    book(page, base, visit, phone="138 0000 2001", adults=2)
    assert page.locator(".visitor-row").count() == 2
    name_visitor(page, 1, "演示游客甲", mistyped(FIRST_ID))
    name_visitor(page, 2, "演示游客乙", SECOND_ID)
    fits_the_screen(page)
    page.get_by_role("button", name=re.compile("^确认预订")).click()
    page.wait_for_load_state()
    bad_row = page.locator("#visitor-1")
    assert "此身份证号码的校验位不符" in bad_row.locator(".field-error").inner_text()
    assert page.locator("#visitor-2 .field-error").count() == 0
    assert Order.objects.count() == 0
    fits_the_screen(page)

    # Fixed: the order is made, and its e-tickets show each visitor with a masked number.
    bad_row.get_by_label("证件号码").fill(FIRST_ID)
    page.get_by_role("button", name=re.compile("^确认预订")).click()
    page.wait_for_url(re.compile(r"/tickets/order/[^/]+/$"))
    order = Order.objects.get()
    assert Visitor.objects.filter(order=order, ticket__isnull=False).count() == 2
    cards = page.locator(".ticket-card")
    assert cards.count() == 2
    shown = sorted(
        " ".join(t.split()) for t in cards.locator(".ticket-card__visitor").all_inner_texts()
    )
    assert shown == [
        f"演示游客乙 居民身份证 {masked(SECOND_ID)}",
        f"演示游客甲 居民身份证 {masked(FIRST_ID)}",
    ]
    html = page.content()
    assert FIRST_ID not in html and SECOND_ID not in html
    fits_the_screen(page)
    second_card = cards.filter(has_text="演示游客乙")
    second_qr = read_qr(browser, second_card.locator(".ticket-card__qr").screenshot())
    assert "." in second_qr  # the signed payload, not the code printed under it

    # Another booking giving the first visitor's ID for the same date is refused on its row.
    other = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    book(other, base, visit, phone="139 0000 3002", adults=1)
    name_visitor(other, 1, "演示游客甲", FIRST_ID)
    other.get_by_role("button", name=re.compile("^确认预订")).click()
    other.wait_for_load_state()
    refusal = other.locator("#visitor-1 .field-error").inner_text()
    assert f"已有 {visit.isoformat()} 的门票" in refusal
    assert Order.objects.count() == 1
    assert Slot.objects.get(pk=slot.pk).taken == 2

    # The visit day: one visitor by the typed ID number, the other by the ticket's code.
    Slot.objects.filter(pk=slot.pk).update(date=timezone.localdate())
    Visitor.objects.filter(order=order).update(visit_date=timezone.localdate())
    user_in_role("Gate staff", username="menggang", first_name="孟岗")
    gate = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    sign_in(gate, base, "menggang")
    gate.goto(f"{base}/gate/")
    result = gate.locator("[data-gate-result]")

    gate.get_by_label("票号或证件号码").fill(FIRST_ID)
    gate.get_by_role("button", name="核验").click()
    expect(result.locator("[data-gate-label]")).to_have_text("有效：请放行")
    ticket_line = result.locator("[data-gate-ticket]").inner_text()
    assert ticket_line.startswith(f"演示游客甲 · {masked(FIRST_ID)} · 成人票")
    assert FIRST_ID not in gate.content()
    fits_the_screen(gate)

    # A QR scanner at the counter types what it reads, as the camera's decoder posts it.
    gate.get_by_label("票号或证件号码").fill(second_qr)
    gate.get_by_role("button", name="核验").click()
    expect(result.locator("[data-gate-ticket]")).to_contain_text("演示游客乙")
    expect(result.locator("[data-gate-label]")).to_have_text("有效：请放行")

    admitted = Ticket.objects.filter(order=order, checked_in_at__isnull=False)
    assert admitted.count() == 2

    # The same ID again: already used.
    gate.get_by_label("票号或证件号码").fill(FIRST_ID)
    gate.get_by_role("button", name="核验").click()
    expect(result.locator("[data-gate-label]")).to_have_text("已使用")
