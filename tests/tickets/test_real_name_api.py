"""The partner API with real-name tickets: a visitor per ticket, refusals naming the visitor."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    bearer,
    id_number,
    partner_key,
    real_name_on,
)
from tourism.tickets.models import Order, Slot

ORDERS = "/api/v1/orders"
ALICE = id_number("19900307", sequence="123")
BOB = id_number("19850611", sequence="456")


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.API_RATE_LIMIT_PER_MINUTE = 10_000


@pytest.fixture
def client(db):
    """A partner's client: every request carries its API key, with a generous limit."""
    return Client(**bearer(partner_key(rate_limit_per_minute=10_000)[1]))


@pytest.fixture
def adult(db):
    real_name_on()
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


def book(client: Client, slot, adult, visitors) -> object:
    body = {
        "slot_id": slot.pk,
        "lines": [{"ticket_type_id": adult.pk, "quantity": 2}],
        "contact": {"name": "李旅行社", "phone": "13800000000", "email": "agent@example.com"},
    }
    if visitors is not None:
        body["visitors"] = [
            {"ticket_type_id": adult.pk, "name": name, "document_type": kind, "number": number}
            for name, kind, number in visitors
        ]
    return client.post(
        ORDERS, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_partners_book_a_visitor_per_ticket_and_read_them_back_masked(client, adult):
    slot = SlotFactory()

    created = book(
        client, slot, adult, [("张三", "id_card", ALICE), ("Jane Roe", "passport", "e1234567")]
    )
    status = client.get(f"{ORDERS}/{created.json()['token']}").json()

    assert created.status_code == 201
    order = Order.objects.get()
    assert sorted(t.visitor.name for t in order.tickets.all()) == ["Jane Roe", "张三"]
    assert status["visitors"] == [
        {
            "name": "张三",
            "ticket_type_id": adult.pk,
            "document_type": "id_card",
            "number": ALICE[:3] + "*" * 11 + ALICE[-4:],
        },
        {
            "name": "Jane Roe",
            "ticket_type_id": adult.pk,
            "document_type": "passport",
            "number": "E12*4567",
        },
    ]
    assert ALICE not in json.dumps(status)


def test_without_visitors_a_real_name_order_is_422(client, adult):
    response = book(client, SlotFactory(), adult, None)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "visitors"]
    assert Slot.objects.get().taken == 0


def test_a_wrong_id_number_is_422_naming_the_visitor_and_the_field(client, adult):
    wrong = ALICE[:17] + ("0" if ALICE[17] != "0" else "1")

    response = book(
        client, SlotFactory(), adult, [("张三", "id_card", BOB), ("李四", "id_card", wrong)]
    )

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "visitors", 1, "number"]
    assert "李四" in error["msg"] and "last character" in error["msg"]
    assert not Order.objects.exists()


def test_an_id_number_already_booked_that_day_is_422(client, adult):
    slot = SlotFactory()
    assert (
        book(
            client, slot, adult, [("张三", "id_card", ALICE), ("李四", "id_card", BOB)]
        ).status_code
        == 201
    )

    response = book(
        client,
        slot,
        adult,
        [("王五", "id_card", id_number("19700101")), ("张三", "id_card", ALICE)],
    )

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "visitors", 1, "number"]
    assert "already has a ticket" in error["msg"]
    assert Order.objects.count() == 1


def test_an_unknown_document_type_is_422(client, adult):
    response = book(
        client, SlotFactory(), adult, [("张三", "id_card", ALICE), ("李四", "licence", "123")]
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "visitors", 1]
