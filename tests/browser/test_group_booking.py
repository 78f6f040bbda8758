"""A group of 35 on a phone, in Chinese: the leader books, uploads a visitor list with one bad
row (shown in the preview, nothing saved), fixes it and saves; on the day, gate staff admit
the whole group with one typed group code, and a second scan says it is used.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.browser.test_box_office import sign_in
from tests.tickets.factories import SlotFactory, TicketTypeFactory, id_number, user_in_role
from tourism.models import TicketType
from tourism.tickets.models import Order, Slot, Ticket
from tourism.tickets.visitors import Visitor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
LEADER_ID = id_number("19850612", sequence="001")


def member_id(n: int) -> str:
    return id_number("19900101", sequence=f"{100 + n:03d}")


def visitor_sheet(path, *, bad_row: int | None = None) -> str:
    """34 members (the leader is the 35th) in the park's template layout."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名 Name", "证件类型 Document type", "证件号码 Document number"])
    for n in range(1, 35):
        number = member_id(n)
        if n == bad_row:
            number = number[:17] + ("0" if number[17] != "0" else "1")
        sheet.append([f"演示团员{n:02d}", "居民身份证", number])
    workbook.save(path)
    return str(path)


def fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_a_group_of_35_books_fixes_its_list_and_is_admitted_in_one_scan(
    browser, live_server, csp_watch, tmp_path
):
    TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    TicketTypeFactory(
        name="团队票",
        name_en="Group rate",
        audience=TicketType.Audience.GROUP,
        price=Decimal("48.00"),
    )
    visit = timezone.localdate() + datetime.timedelta(days=7)
    slot = SlotFactory(
        date=visit, starts_at=datetime.time(9), ends_at=datetime.time(10), capacity=60
    )
    base = live_server.url

    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()

    # The leader books the group.
    page.goto(f"{base}/tickets/group/?date={visit:%Y-%m-%d}")
    assert page.get_by_role("heading", level=1).inner_text() == "团队预约"
    assert "每人 ¥48.00" in page.locator(".group-rate").inner_text()
    page.get_by_label(re.compile("09:00")).check()
    page.get_by_label("人数").fill("35")
    page.get_by_label("旅行社（选填）").fill("演示旅行社")
    page.get_by_label("旅行社经营许可证编号").fill("L-SC-DEMO01")
    page.get_by_label("领队姓名").fill("演示领队")
    page.get_by_label("领队手机号").fill("138 1234 5678")
    page.get_by_label("领队证件").select_option("id_card")
    page.get_by_label("证件号码").fill(LEADER_ID)
    fits_the_screen(page)
    page.get_by_role("button", name="提交团队预约").click()
    # The group page opens at its list form.
    page.wait_for_url(re.compile(r"/tickets/order/[^/]+/group/(#group-form)?$"))

    order = Order.objects.get()
    assert (order.channel, order.quantity, order.total) == ("group", 35, Decimal("48.00") * 35)
    assert page.locator("[data-group-people]").inner_text() == "35"
    fits_the_screen(page)

    # A list with one bad row: every row in the preview, that row's problem named, nothing saved.
    page.get_by_label(re.compile("游客名单")).set_input_files(
        visitor_sheet(tmp_path / "bad.xlsx", bad_row=17)
    )
    page.get_by_role("button", name="检查名单").click()
    preview = page.locator(".group-preview tbody tr")
    expect(preview).to_have_count(34)  # the click only starts the navigation
    bad = page.locator(".group-preview tr.is-bad")
    assert bad.count() == 1
    assert bad.get_attribute("data-row") == "18"  # row 1 holds the headings
    with translation.override("zh-hans"):
        why = gettext(
            "This ID card number's last character does not match: please check every digit."
        )
    assert why in bad.inner_text()
    assert page.get_by_role("button", name=re.compile("^保存")).count() == 0
    assert Visitor.objects.filter(order=order).count() == 1
    fits_the_screen(page)

    # Fixed, checked again and saved.
    page.get_by_label(re.compile("游客名单")).set_input_files(visitor_sheet(tmp_path / "good.xlsx"))
    page.get_by_role("button", name="检查名单").click()
    save = page.get_by_role("button", name=re.compile("^保存 34"))
    expect(save).to_be_visible()  # only the checked good list offers it
    assert page.locator(".group-preview tr.is-bad").count() == 0
    save.click()
    page.wait_for_url(re.compile(r"/group/(#[\w-]+)?$"))
    assert "34" in page.locator(".messages").inner_text()
    assert Visitor.objects.filter(order=order, released_at__isnull=True).count() == 35
    masked = page.locator(".group-visitors tbody td").first.inner_text()
    assert masked == LEADER_ID[:3] + "*" * 11 + LEADER_ID[-4:]

    # The order page shows one group code.
    page.get_by_role("link", name="团队二维码和订单").click()
    code = page.locator(".ticket-card__code").inner_text()
    assert code == order.group.code

    # The visit day comes; the gate types the leader's code.
    Slot.objects.filter(pk=slot.pk).update(date=timezone.localdate())
    Visitor.objects.filter(order=order).update(visit_date=timezone.localdate())
    user_in_role("Gate staff", username="menggang", first_name="孟岗")
    gate = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    sign_in(gate, base, "menggang")
    gate.goto(f"{base}/gate/")
    gate.get_by_label("票号").fill(code)
    gate.get_by_role("button", name="核验").click()
    result = gate.locator("[data-gate-result]")
    # The answer arrives by fetch: expect() waits for it.
    expect(result.locator("[data-gate-group]")).to_have_text("团队：已入园 35 / 35 人")
    assert "35" in result.locator("[data-gate-message]").inner_text()
    assert Ticket.objects.filter(order=order, checked_in_at__isnull=False).count() == 35
    fits_the_screen(gate)

    gate.get_by_label("票号").fill(code)
    gate.get_by_role("button", name="核验").click()
    expect(gate.locator("[data-gate-label]")).to_have_text("已使用")
    assert Ticket.objects.filter(order=order, checked_in_at__isnull=False).count() == 35
