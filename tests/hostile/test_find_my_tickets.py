"""Hostile input to "find my tickets": never a 500, no code sent for it, nothing cancelled."""

import pytest

from tests.hostile.hostile_inputs import HOSTILE_TEXT, server_errors, tickets_on_sale, visitor
from tourism.tickets.lookup_models import LookupCode
from tourism.tickets.models import Order

pytestmark = pytest.mark.django_db

FIND = "/en/tickets/find/"


def test_every_hostile_phone_or_address_is_refused_with_a_message(capsys):
    client = visitor()
    answers = [(repr(value), client.post(FIND, {"contact": value})) for value in HOSTILE_TEXT]
    assert server_errors(answers) == []
    # What got a code is exactly what normalises to a phone number; the rest was told why.
    refused = [a for a in answers if a[1].status_code != 302]
    assert all(a[1].status_code in (422, 429) for a in refused)
    assert LookupCode.objects.count() == len(answers) - len(refused)


def test_every_hostile_code_is_refused_and_shows_nothing(capsys, settings):
    settings.TICKETS_LOOKUP_MAX_TRIES = 10**6  # every value is tried against a live code
    tickets_on_sale()
    client = visitor()
    client.post(FIND, {"contact": "13800000000"})
    answers = [
        (repr(value), client.post("/en/tickets/find/code/", {"code": value}))
        for value in HOSTILE_TEXT
    ]
    assert server_errors(answers) == []
    assert {response.status_code for _, response in answers} <= {422, 429}
    assert client.get("/en/tickets/find/orders/").status_code == 302


def test_hostile_references_cancel_nothing(capsys):
    park = tickets_on_sale()
    client = visitor()
    answers = [
        (repr(value), client.post(f"/en/tickets/find/orders/{value}/cancel/"))
        for value in ["x", park.order.reference, "%00", "' OR 1=1 --"]
    ]
    assert server_errors(answers) == []
    assert Order.objects.filter(status=Order.Status.CANCELLED).count() == 0
