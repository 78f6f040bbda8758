"""Choosing how to pay on the booking summary: every configured way, best first for the visitor."""

import re

import pytest
from django.test import Client

from tourism.tickets.models import Order
from tourism.tickets.rules import BookingRules

WECHAT = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 MicroMessenger/8.0.47 WeChat"
ALIPAY_APP = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 AlipayClient/10.5.96"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_online(fake_wechat_pay, fake_stripe):
    """WeChat Pay and Stripe configured (fakes), and the park offering pay-at-gate too."""
    rules = BookingRules.current()
    rules.offer_pay_at_gate = True
    rules.save()


def summary(slot, ticket_types, *, agent=DESKTOP, language="zh-CN,zh;q=0.9", **extra):
    client = Client(HTTP_USER_AGENT=agent, HTTP_ACCEPT_LANGUAGE=language)
    data = {
        "date": f"{slot.date:%Y-%m-%d}",
        "slot": slot.pk,
        f"qty_{ticket_types.adult.pk}": 2,
        f"qty_{ticket_types.child.pk}": 0,
        "name": "李华",
        "phone": "138 0000 0000",
        "email": "",
        **extra,
    }
    return client, client.post(f"/tickets/?date={slot.date:%Y-%m-%d}", data), data


def offered(response) -> list[str]:
    return re.findall(r'name="pay_with" value="(\w+)"', response.content.decode())


@pytest.mark.parametrize(
    ("agent", "language", "expected"),
    [
        (DESKTOP, "zh-CN,zh;q=0.9", ["wechat_pay", "stripe", "gate"]),
        (WECHAT, "zh-CN,zh;q=0.9", ["wechat_pay", "stripe", "gate"]),
        (DESKTOP, "en-GB,en;q=0.9", ["stripe", "wechat_pay", "gate"]),
        (ALIPAY_APP, "zh-CN", ["wechat_pay", "stripe", "gate"]),  # no Alipay configured
    ],
)
def test_the_summary_offers_every_configured_way_best_first(
    both_online, slot_factory, ticket_types, agent, language, expected
):
    _client, response, _data = summary(slot_factory(), ticket_types, agent=agent, language=language)
    assert response.status_code == 200
    assert offered(response) == expected
    assert f'value="{expected[0]}" checked' in response.content.decode()


def test_the_chosen_way_is_the_orders_provider(both_online, slot_factory, ticket_types):
    slot = slot_factory()
    client, _response, data = summary(slot, ticket_types)

    confirmed = client.post(
        f"/tickets/?date={slot.date:%Y-%m-%d}", {**data, "confirm": "1", "pay_with": "gate"}
    )

    order = Order.objects.get()
    assert (order.provider, order.status) == ("gate", Order.Status.RESERVED)
    assert confirmed["Location"] == f"/tickets/order/{order.token}/"


def test_an_unknown_way_falls_back_to_the_first_offered(both_online, slot_factory, ticket_types):
    slot = slot_factory()
    client, _response, data = summary(slot, ticket_types)

    client.post(
        f"/tickets/?date={slot.date:%Y-%m-%d}", {**data, "confirm": "1", "pay_with": "cash"}
    )

    assert Order.objects.get().provider == "wechat_pay"


def test_without_pay_at_gate_offered_only_online_ways_are_listed(
    fake_wechat_pay, fake_stripe, slot_factory, ticket_types
):
    _client, response, _data = summary(slot_factory(), ticket_types)
    assert offered(response) == ["wechat_pay", "stripe"]


def test_one_way_only_shows_no_choice(slot_factory, ticket_types, settings):
    settings.STRIPE_SECRET_KEY = ""
    _client, response, _data = summary(slot_factory(), ticket_types)
    assert offered(response) == []
    assert "确认预订，到园付款" in response.content.decode()
