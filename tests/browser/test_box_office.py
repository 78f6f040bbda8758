"""Gate staff on a phone, in Chinese: from the admin home to the scanner in one tap, a walk-in
sale of two adult tickets for cash admitted at once, and the day's takings.

The compact staff pages (the gate, the box office, the field form) are checked as the staff
member sees them: every button and input inside the 360 px screen, none covered by another
element. Every page runs under the site's Content-Security-Policy.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.tickets.factories import PASSWORD, TicketTypeFactory, user_in_role, whole_day_slot
from tourism.tickets.models import Order, Payment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}

# Every visible control scrolled into view: where it falls outside the screen, or what
# covers its middle (an element that is neither the control, inside it, nor its label).
COVERED_CONTROLS = """
async () => {
  const problems = [];
  const controls = document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, a.button, .staff-bar a"
  );
  for (const control of controls) {
    if (!control.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    control.scrollIntoView({ block: "center", inline: "nearest" });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const box = control.getBoundingClientRect();
    const name = `${control.tagName.toLowerCase()} ${(control.name || control.textContent || "").trim().slice(0, 30)}`;
    if (box.left < -0.5 || box.right > innerWidth + 0.5 || box.top < -0.5 || box.bottom > innerHeight + 0.5) {
      problems.push(`${name}: outside the screen (${Math.round(box.left)}–${Math.round(box.right)} px)`);
      continue;
    }
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const ownLabel = hit && control.labels && [...control.labels].some((label) => label === hit || label.contains(hit));
    if (!hit || !(hit === control || control.contains(hit) || ownLabel)) {
      problems.push(`${name}: covered by ${hit ? hit.tagName.toLowerCase() + "." + hit.className : "nothing"}`);
    }
  }
  return { problems, scrollWidth: document.documentElement.scrollWidth };
}
"""


def assert_fits_a_phone(page) -> None:
    layout = page.evaluate(COVERED_CONTROLS)
    assert layout["problems"] == [], f"{page.url}: " + "; ".join(layout["problems"])
    assert layout["scrollWidth"] <= PHONE["width"], f"{page.url} is {layout['scrollWidth']}px wide"
    # The public site's header and footer, and Wagtail's user bar, give way to the staff bar.
    assert page.locator(".staff-bar").count() == 1
    assert page.locator(".site-header, .site-footer, wagtail-userbar").count() == 0


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state()


def test_gate_staff_scan_sell_two_adults_for_cash_admit_them_and_see_the_takings(
    browser, live_server, csp_watch
):
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    TicketTypeFactory(name="儿童票", name_en="Child", price=Decimal("30.00"))
    slot = whole_day_slot(timezone.localdate(), capacity=50)
    user_in_role("Gate staff", username="menggang", first_name="孟岗")
    base = live_server.url

    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()
    sign_in(page, base, "menggang")

    # The admin home: the gate's panel, and the scanner one tap away.
    panel = page.locator("#gate-today-section")
    assert panel.locator("[data-gate-panel=expected]").inner_text() == "0"
    panel.get_by_role("link", name="扫码检票").click()
    page.wait_for_url(f"{base}/gate/")
    assert page.get_by_role("heading", level=1).inner_text() == "入口检票"
    assert_fits_a_phone(page)

    # From the scanner to the box office; two adults, cash (the default), admitted at once.
    page.get_by_role("link", name="售票", exact=True).click()
    page.wait_for_url(f"{base}/gate/sell/")
    assert_fits_a_phone(page)
    more_adults = page.get_by_role("button", name="成人票加一张")
    more_adults.click()
    more_adults.click()
    assert page.get_by_role("spinbutton", name=re.compile("^成人票")).input_value() == "2"
    assert page.locator("[data-total]").inner_text() == "合计 ¥120.00"
    assert page.get_by_label("现金").is_checked()
    assert page.get_by_label("立即入园").is_checked()
    page.get_by_role("button", name="售票并收款").click()
    page.wait_for_url(re.compile(r"/gate/sell/HG-[A-Z0-9-]+/$"))

    order = Order.objects.get()
    sale = page.locator(".sale-done").inner_text()
    assert order.reference in sale
    assert "2 张票，¥120.00，付款方式：现金。" in sale
    assert "已入园 2 人。" in sale
    assert_fits_a_phone(page)
    assert (order.channel, order.status, order.slot_id) == ("box_office", "paid", slot.pk)
    assert [line.ticket_type_id for line in order.lines.all()] == [adult.pk]
    assert order.tickets.filter(checked_in_at__isnull=False).count() == 2
    payment = order.payments.get()
    assert (payment.method, payment.amount, payment.taken_by.username) == (
        "cash",
        Decimal("120.00"),
        "menggang",
    )

    # The day's takings, in the admin: cash ¥120 for two tickets, taken by 孟岗.
    page.get_by_role("link", name="今日收款").click()
    page.wait_for_url(re.compile(r"/admin/box-office/takings/"))
    rows = {
        tuple(cells[:2]): cells[2:]
        for cells in (
            [cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in page.locator("table tbody tr").all()
        )
    }
    assert rows[("付款方式", "现金")][:3] == ["1", "2", "120.00"]
    assert rows[("付款方式", "微信支付")][:3] == ["0", "0", "0.00"]
    assert rows[("售票员", "孟岗")][:3] == ["1", "2", "120.00"]
    assert rows[("合计", "全部收款")] == ["1", "2", "120.00", "0.00", "120.00"]

    # Back on the home screen, the panel counts the walk-ins as expected and arrived.
    page.goto(f"{base}/admin/")
    figures = {
        name: page.locator(f"#gate-today-section [data-gate-panel={name}]").inner_text()
        for name in ("expected", "arrived", "walk_ins")
    }
    assert figures == {"expected": "2", "arrived": "2", "walk_ins": "2"}
    context.close()

    # A farm manager's field form wears the same compact staff layout.
    user_in_role("Farm managers", username="guanli")
    context = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = context.new_page()
    sign_in(page, base, "guanli")
    page.goto(f"{base}/field/")
    assert page.get_by_role("heading", level=1).inner_text() == "现场记录"
    assert_fits_a_phone(page)
    page.goto(f"{base}/field/?form=check")
    assert_fits_a_phone(page)
    context.close()

    assert Payment.objects.count() == 1
