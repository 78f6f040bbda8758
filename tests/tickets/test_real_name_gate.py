"""The gate by ID card: a typed or read ID number answers as a QR code does, once per person per day."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from tests.tickets.factories import (
    TicketTypeFactory,
    UserFactory,
    id_number,
    order_for,
    real_name_on,
    user_in_role,
    visitor,
    whole_day_slot,
)
from tourism.tickets import services
from tourism.tickets.models import Order, Payment
from tourism.tickets.visitors import Visitor

CHECK_IN = "/en/gate/check-in/"
ALICE = id_number("19900307", sequence="123")
BOB = id_number("19850611", sequence="456")


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def adult(db):
    real_name_on()
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def today_order(adult):
    return order_for(
        whole_day_slot(timezone.localdate()),
        {adult: 2},
        visitors=[visitor(adult, "张三", ALICE), visitor(adult, "李四", BOB)],
    )


@pytest.fixture
def gate_client(db):
    client = Client()
    client.force_login(user_in_role("Gate staff", username="gatekeeper"))
    return client


def scan(client: Client, payload: str) -> dict:
    response = client.post(
        CHECK_IN, data=json.dumps({"payload": payload}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_typed_id_number_admits_its_visitor_once_showing_name_and_masked_number(
    gate_client, today_order
):
    # An ID-card reader types the number; a lower-case x and spaces are the same number.
    typed = f"{ALICE[:6]} {ALICE[6:14]} {ALICE[14:]}".lower()

    first = scan(gate_client, typed)
    again = scan(gate_client, ALICE)

    assert first["result"] == "valid"
    assert first["ticket"]["visitor"] == "张三"
    assert first["ticket"]["id_number"] == ALICE[:3] + "*" * 11 + ALICE[-4:]
    assert ALICE not in json.dumps(first)
    assert "Adult" in first["ticket"]["summary"]
    assert again["result"] == "used"
    alice = Visitor.objects.get(name="张三")
    assert alice.ticket.checked_in_at is not None
    assert Visitor.objects.get(name="李四").ticket.checked_in_at is None


def test_the_first_admission_of_a_pay_at_gate_order_collects_its_total(gate_client, today_order):
    answer = scan(gate_client, BOB)

    assert answer["result"] == "valid"
    assert Decimal(answer["collect"]) == Decimal("60.00") * 2
    today_order.refresh_from_db()
    assert today_order.status == Order.Status.PAID
    assert Payment.objects.get(order=today_order).amount == Decimal("120.00")


def test_an_id_number_with_no_ticket_today_is_told_so(gate_client, adult):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    order_for(whole_day_slot(tomorrow), {adult: 1}, visitors=[visitor(adult, "张三", ALICE)])

    later = scan(gate_client, ALICE)
    nobody = scan(gate_client, BOB)

    assert later["result"] == "wrong_date"
    assert date_format(tomorrow, "DATE_FORMAT") in later["message"]
    assert nobody["result"] == "no_ticket"
    assert nobody["label"] == "No ticket today"


def test_a_cancelled_order_does_not_admit_by_id_number(gate_client, today_order):
    services.order_cancel(order=today_order, user=UserFactory(is_superuser=True))

    answer = scan(gate_client, ALICE)

    assert answer["result"] == "not_valid"
    assert "cancelled or refunded" in answer["message"]


def test_a_mistyped_id_number_is_refused_saying_why(gate_client, today_order):
    wrong = ALICE[:17] + ("0" if ALICE[17] != "0" else "1")

    answer = scan(gate_client, wrong)

    assert answer["result"] == "no_ticket"
    assert "last character" in answer["message"]


def test_ticket_codes_still_work_beside_id_numbers(gate_client, today_order):
    ticket = Visitor.objects.get(name="李四").ticket

    answer = scan(gate_client, ticket.code)

    assert answer["result"] == "valid" and answer["ticket"]["visitor"] == "李四"


def test_superusers_see_the_whole_number_at_the_gate(today_order):
    client = Client()
    client.force_login(UserFactory(is_superuser=True))

    answer = scan(client, ALICE)

    assert answer["ticket"]["id_number"] == ALICE


def test_the_gate_page_form_takes_an_id_number_without_javascript(gate_client, today_order):
    response = gate_client.post("/en/gate/", {"code": BOB})

    page = response.content.decode()
    assert response.status_code == 200
    assert "gate-result--valid" in page and "李四" in page
    assert BOB[:3] + "*" * 11 + BOB[-4:] in page and BOB not in page
