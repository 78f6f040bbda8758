"""The partner API under the limits: per phone, no-shows, released places, optional email."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from tests.tickets.factories import SlotFactory, TicketTypeFactory, bearer, order_for, partner_key
from tourism.tickets import limits
from tourism.tickets.models import Order
from tourism.tickets.rules import BookingRules

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partner_api_at_the_gate")]

ORDERS = "/api/v1/orders"
PHONE = "13800138000"


@pytest.fixture
def client(db):
    """A partner's client: every request carries its API key, with a generous limit."""
    return Client(**bearer(partner_key(rate_limit_per_minute=10_000)[1]))


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def rules(db):
    rules, _ = BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={
            "max_tickets_per_phone": 4,
            "release_unpaid_after_minutes": 30,
            "no_shows_before_pay_online": 1,
        },
    )
    return rules


def post(client, slot, adult, *, quantity=1, phone=PHONE, language="en", **contact):
    body = {
        "slot_id": slot.pk,
        "lines": [{"ticket_type_id": adult.pk, "quantity": quantity}],
        "contact": {"name": "李旅行社", "phone": phone, **contact},
    }
    return client.post(
        ORDERS, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


def test_an_order_without_email_is_made(client, rules, adult):
    response = post(client, SlotFactory(), adult, quantity=2)

    assert response.status_code == 201
    assert Order.objects.get().contact_email == ""


def test_the_phone_limit_is_a_422_on_the_phone_field(client, rules, adult):
    slot = SlotFactory()
    assert post(client, slot, adult, quantity=3).status_code == 201

    response = post(client, slot, adult, quantity=2, phone="+86 138 0013 8000")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "contact", "phone"]
    assert error["msg"].startswith("One phone number may book at most 4 tickets for one day.")
    assert Order.objects.count() == 1


def test_a_phone_with_a_no_show_is_refused_pay_at_the_gate_in_the_partners_language(
    client, rules, adult
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    missed = SlotFactory(date=yesterday)
    order_for(
        missed,
        {adult: 1},
        phone=PHONE,
        now=timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(8))),
    )
    assert limits.no_shows_release() == 1

    response = post(client, SlotFactory(), adult, language="zh-hans")

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "该手机号在最近 90 天内有 1 次到园付款的预约未到场。"
        "该号码不能再预约到园付款，而景区目前暂不支持在线支付；请致电景区或到售票处购票。"
    )


def test_availability_counts_places_of_reservations_past_their_release_time_as_free(
    client, rules, adult
):
    today = timezone.localdate()
    slot = SlotFactory(
        date=today, starts_at=datetime.time(0, 0), ends_at=datetime.time(23, 59), capacity=3
    )
    order_for(
        slot, {adult: 3}, now=timezone.make_aware(datetime.datetime.combine(today, slot.starts_at))
    )
    due = timezone.localtime() > timezone.make_aware(
        datetime.datetime.combine(today, datetime.time(0, 30))
    )

    (shown,) = client.get("/api/v1/availability", {"date": today.isoformat()}).json()["slots"]

    assert shown["remaining"] == (3 if due else 0)
