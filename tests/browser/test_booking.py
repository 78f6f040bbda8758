"""A tourist books on a phone, pays, gets three QR tickets; the gate admits one ticket once.

Every page runs under the site's Content-Security-Policy; any violation fails the test.
"""

import datetime
import re
from decimal import Decimal

import pytest
import stripe
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory, UserFactory
from tests.tickets.fake_stripe import FakeStripe
from tourism.models import TicketType
from tourism.tickets.models import Order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def park(db):
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    child = TicketTypeFactory(
        name="儿童票", name_en="Child", audience=TicketType.Audience.CHILD, price=Decimal("30.00")
    )
    visit_date = timezone.localdate() + datetime.timedelta(days=7)
    slot = SlotFactory(
        date=visit_date, starts_at=datetime.time(10), ends_at=datetime.time(11), capacity=40
    )
    return adult, child, slot


@pytest.fixture
def fake_stripe_live(settings):
    fake = FakeStripe(api_key="sk_test_fake", webhook_secret="whsec_test").start()
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
    settings.STRIPE_PAYMENT_METHODS = ["card", "alipay", "wechat_pay"]
    # The fake's checkout pages stand where Stripe's are, for the booking page's policy.
    settings.STRIPE_CHECKOUT_ORIGINS = [fake.url]
    previous = stripe.api_base
    stripe.api_base = fake.url
    yield fake
    stripe.api_base = previous
    fake.stop()


def book_two_adults_and_a_child(page, base_url: str, slot, adult, child) -> None:
    page.goto(f"{base_url}/en/tickets/?month={slot.date:%Y-%m}")
    page.locator(f'a[href="?date={slot.date:%Y-%m-%d}#tickets"]').click()
    page.get_by_label(re.compile("10:00")).check()
    page.get_by_label("Adult").fill("2")
    page.get_by_label("Child").fill("1")
    page.get_by_label("Name").fill("王小花")
    page.get_by_label("Mobile phone").fill("138 0000 0000")
    page.get_by_label("Email").fill("xiaohua@example.com")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".total").inner_text() == "¥150.00"


def tickets_on_page(page) -> list[str]:
    return page.locator(".ticket-card__code").all_inner_texts()


def gate_scans(browser, base_url: str, live_server_user, code: str, csp_watch) -> str:
    client = Client()
    client.force_login(live_server_user)
    context = csp_watch.watch(browser.new_context(viewport=PHONE))
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    gate = context.new_page()
    gate.goto(f"{base_url}/en/gate/")
    gate.get_by_label("Ticket code").fill(code)
    gate.get_by_role("button", name="Check").click()
    # The result panel is emptied, then filled, so that a repeated answer is announced again.
    gate.wait_for_function(
        "() => { const label = document.querySelector('[data-gate-label]').textContent.trim();"
        " return label !== '' && label !== 'Ready'; }"
    )
    result = gate.locator("[data-gate-result]").inner_text()
    context.close()
    return result


def gate_user():
    user = UserFactory(username="gatekeeper")
    user.groups.add(Group.objects.get(name="Gate staff"))
    return user


def test_tourist_pays_online_and_the_gate_admits_each_ticket_once(
    browser, live_server, park, fake_stripe_live, csp_watch
):
    adult, child, slot = park
    context = csp_watch.watch(browser.new_context(viewport=PHONE))
    page = context.new_page()

    book_two_adults_and_a_child(page, live_server.url, slot, adult, child)
    page.get_by_role("button", name="Confirm and pay").click()
    page.wait_for_selector(".ticket-card")
    assert page.get_by_role("heading", level=1).inner_text() == "Your tickets"
    codes = tickets_on_page(page)
    assert len(codes) == 3
    assert page.locator(".ticket-card svg.qr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert order.total == Decimal("150.00")
    context.close()

    # Move the visit to today: the gate admits only today's visitors.
    slot.date = timezone.localdate()
    slot.starts_at, slot.ends_at = None, None
    slot.save()
    staff = gate_user()
    first = gate_scans(browser, live_server.url, staff, codes[0], csp_watch)
    again = gate_scans(browser, live_server.url, staff, codes[0], csp_watch)

    assert "Valid" in first
    assert "Already used" in again
    assert "gatekeeper" in again


def test_without_stripe_keys_the_tourist_reserves_and_pays_at_the_gate(
    browser, live_server, park, settings, csp_watch
):
    settings.STRIPE_SECRET_KEY = ""
    adult, child, slot = park
    context = csp_watch.watch(browser.new_context(viewport=PHONE))
    page = context.new_page()

    book_two_adults_and_a_child(page, live_server.url, slot, adult, child)
    page.get_by_role("button", name="Confirm, pay at the gate").click()

    page.wait_for_selector(".ticket-card")
    assert page.get_by_role("heading", level=1).inner_text() == "Reserved: pay at the gate"
    assert len(tickets_on_page(page)) == 3
    assert "¥150.00" in page.locator("main").inner_text()
    context.close()

    slot.date = timezone.localdate()
    slot.starts_at, slot.ends_at = None, None
    slot.save()
    code = Order.objects.get().tickets.first().code
    first = gate_scans(browser, live_server.url, gate_user(), code, csp_watch)
    assert "Valid" in first
    assert "150" in first
    assert Order.objects.get().status == Order.Status.PAID
