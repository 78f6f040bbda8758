"""Where visitors' ID numbers are shown: masked on the e-ticket, in the email and at the desk;
whole only for superusers."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    UserFactory,
    id_number,
    order_for,
    real_name_on,
    user_in_role,
    visitor,
)

ALICE = id_number("19900307", sequence="123")
BOB = id_number("19850611", sequence="456")
MASKED_ALICE = ALICE[:3] + "*" * 11 + ALICE[-4:]


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def order(db, django_capture_on_commit_callbacks):
    real_name_on()
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    with django_capture_on_commit_callbacks(execute=True):
        return order_for(
            SlotFactory(date=timezone.localdate() + datetime.timedelta(days=3)),
            {adult: 2},
            visitors=[visitor(adult, "张三", ALICE), visitor(adult, "李四", BOB)],
        )


def test_the_e_ticket_shows_each_visitor_with_the_number_masked(client, order):
    page = client.get(f"/en/tickets/order/{order.token}/").content.decode()

    assert "张三" in page and MASKED_ALICE in page
    assert ALICE not in page and BOB not in page


def test_the_confirmation_email_names_the_visitors_with_masked_numbers(order):
    (message,) = mail.outbox
    html = message.alternatives[0][0]

    for body in (message.body, html):
        assert "张三" in body and MASKED_ALICE in body
        assert ALICE not in body and BOB not in body


def desk_page(user, order) -> str:
    client = Client()
    client.force_login(user)
    with translation.override("en"):
        response = client.get(reverse("tourism_order:inspect", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_order_desk_staff_see_masked_numbers_and_superusers_whole_ones(order):
    staff = desk_page(user_in_role("Gate staff"), order)
    superuser = desk_page(UserFactory(is_superuser=True, is_staff=True), order)

    assert MASKED_ALICE in staff and ALICE not in staff and "张三" in staff
    assert ALICE in superuser and BOB in superuser


def test_the_desk_finds_an_order_by_a_visitors_id_number(order):
    other = order_for(
        SlotFactory(date=order.slot.date, starts_at=datetime.time(14), ends_at=datetime.time(15)),
        {order.lines.get().ticket_type: 1},
        visitors=[visitor(order.lines.get().ticket_type, "王五", id_number("19700101"))],
    )
    client = Client()
    client.force_login(user_in_role("Gate staff"))

    page = client.get("/admin/tickets/orders/", {"q": ALICE.lower()}).content.decode()

    assert order.reference in page and other.reference not in page
