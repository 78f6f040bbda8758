"""A booking that waits too long for a locked slot is refused as busy, on PostgreSQL.

Another transaction holds the slot's row (as a long booking or staff closing the day
would); the booking's lock wait runs out after ``TICKETS_LOCK_TIMEOUT_MS`` and the tourist
is told to try again: a message on the page, 503 from the API, nothing saved.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.tickets.factories import SlotFactory, TicketTypeFactory, bearer, partner_key
from tourism.tickets import services
from tourism.tickets.models import Order, Slot
from tourism.tickets.payments.gate import GateProvider

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="lock_timeout is a PostgreSQL setting; run with DATABASE_URL pointing at PostgreSQL",
    ),
]


class SlotHeld:
    """The slot's row locked by another connection until the block ends."""

    def __init__(self, slot):
        self.slot = slot
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                Slot.objects.select_for_update().get(pk=self.slot.pk)
                self.locked.set()
                self.release.wait(30)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(30)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(30)


@pytest.fixture
def booking(settings):
    settings.TICKETS_LOCK_TIMEOUT_MS = 100
    settings.STRIPE_SECRET_KEY = ""
    adult = TicketTypeFactory(price=Decimal("60.00"))
    slot = SlotFactory(
        date=datetime.date.today() + datetime.timedelta(days=3),
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        capacity=20,
    )
    return slot, adult


def test_the_service_refuses_as_busy_and_saves_nothing(booking):
    slot, adult = booking
    with SlotHeld(slot), pytest.raises(services.Busy) as refused:
        services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: 2},
            contact=services.Contact("王小花", "13800138000", ""),
            provider=GateProvider(),
        )
    assert refused.value.status == 503
    assert Order.objects.count() == 0
    assert Slot.objects.get(pk=slot.pk).taken == 0


def test_the_booking_page_says_try_again(booking):
    slot, adult = booking
    with SlotHeld(slot):
        response = Client().post(
            f"/en/tickets/?date={slot.date:%Y-%m-%d}",
            {
                "date": f"{slot.date:%Y-%m-%d}",
                "slot": slot.pk,
                f"qty_{adult.pk}": 2,
                "name": "Lee Hua",
                "phone": "138 0000 0000",
                "confirm": "1",
            },
        )
    assert response.status_code == 422
    assert "Many visitors are booking just now" in response.content.decode()
    assert Order.objects.count() == 0


def test_the_api_answers_503(booking):
    slot, adult = booking
    client = Client(**bearer(partner_key(rate_limit_per_minute=10_000)[1]))
    with SlotHeld(slot):
        response = client.post(
            "/api/v1/orders",
            {
                "slot_id": slot.pk,
                "lines": [{"ticket_type_id": adult.pk, "quantity": 2}],
                "contact": {"name": "Lee Hua", "phone": "13800000000"},
            },
            content_type="application/json",
        )
    assert response.status_code == 503, response.content
    with translation.override("zh-hans"):  # the API answers in the park's language
        busy = gettext(
            "Many visitors are booking just now and nothing was booked; please try again."
        )
    assert response.json()["detail"] == busy
    assert Order.objects.count() == 0
