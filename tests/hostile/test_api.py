"""Hostile input to the partner API: every answer is JSON, 4xx for what the partner got wrong."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Site

from tests.hostile.hostile_inputs import (
    HOSTILE_TEXT,
    database_state,
    encoded,
    has_control_characters,
    hostile_in_address,
    server_errors,
    tickets_on_sale,
    visitor,
)
from tests.tickets.factories import bearer, partner_key
from tourism.tickets import api
from tourism.tickets.models import Slot
from tourism.tickets.rules import BookingRules

AVAILABILITY = "/api/v1/availability"
ORDERS = "/api/v1/orders"


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000


@pytest.fixture(autouse=True)
def no_phone_limit(db):
    """Many fair orders of one phone are made here; the per-phone limit has tests of its own."""
    BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"max_tickets_per_phone": 100_000}
    )


@pytest.fixture
def park(db):
    return tickets_on_sale()


@pytest.fixture
def partner(db):
    """A partner's client: a server error shows as a 500, every request carries its key."""
    raw = partner_key(rate_limit_per_minute=100_000)[1]
    return Client(raise_request_exception=False, **bearer(raw))


def order_body(park) -> dict:
    return {
        "slot_id": park.slot.pk,
        "lines": [{"ticket_type_id": park.adult.pk, "quantity": 1}],
        "contact": {"name": "李旅行社", "phone": "13800000000", "email": "agent@example.com"},
    }


def post_json(client, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(ORDERS, data=data, content_type="application/json")


def replaced(body: dict, path: tuple, value) -> dict:
    """A deep copy of ``body`` with the value at ``path`` replaced."""
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def not_json(label_responses) -> list[str]:
    return [
        f"{response.status_code} {label}"
        for label, response in label_responses
        if not response["Content-Type"].startswith("application/json")
    ]


def test_api_answers_every_hostile_request_in_json_without_a_server_error(park, partner):
    client = partner
    Slot.objects.filter(pk=park.slot.pk).update(capacity=10_000)
    before = database_state()
    body = order_body(park)
    fields = [
        ("slot_id",),
        ("lines",),
        ("lines", 0),
        ("lines", 0, "ticket_type_id"),
        ("lines", 0, "quantity"),
        ("contact",),
        ("contact", "name"),
        ("contact", "phone"),
        ("contact", "email"),
        ("language",),
    ]
    wrong_values = [
        *HOSTILE_TEXT,
        None,
        True,
        -1,
        0,
        1.5,
        2**63,
        2**200,
        -(2**63),
        [],
        {},
        [park.slot.pk],
        {"id": park.slot.pk},
    ]

    reads = [
        (url, client.get(url))
        for value in hostile_in_address()
        for url in (
            f"{AVAILABILITY}?date={value}",
            f"{AVAILABILITY}?date=2026-12-01&{value}={value}",
            f"{ORDERS}/{value}",
            f"{ORDERS}/{park.order.token}?{value}",
        )
    ]
    # Some of the table are fair names or phone numbers ("票", "20261201"): such an order is
    # made (201); every other answer must leave the database as it found it.
    writes, saved_anyway = [], []
    for path in fields:
        for value in wrong_values:
            label = f"{'.'.join(map(str, path))}={value!r}"
            state = database_state()
            response = post_json(client, replaced(body, path, value))
            writes.append((label, response))
            if response.status_code != 201 and database_state() != state:
                saved_anyway.append(label)
    malformed = [
        (repr(raw)[:40], post_json(client, raw))
        for raw in (
            "NaN",
            '{"slot_id": NaN}',
            '{"slot_id": Infinity}',
            '{"slot_id": 1e999}',
            "null",
            "[]",
            '"text"',
            "{",
            b"\xff\xfe\x00",
            b'{"slot_id": "\xed\xa0\x80"}',
            "[" * 10_000,
            json.dumps({**body, "unknown": 1}),
            json.dumps({**body, "lines": [body["lines"][0]] * 2}),
            json.dumps({**body, "lines": [body["lines"][0]] * 51}),
        )
    ]

    assert server_errors(reads + writes + malformed) == []
    assert not_json(reads + writes + malformed) == []
    assert saved_anyway == []
    made = sum(response.status_code == 201 for _label, response in writes)
    assert database_state()["orders"] == before["orders"] + made
    # The unchanged body does book: the refusals above were the values'.
    assert post_json(client, body).status_code == 201


def test_a_failure_inside_the_api_answers_json_500_and_is_logged(park, monkeypatch, caplog):
    def broken(date):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(api, "day_availability", broken)

    response = visitor().get(AVAILABILITY, {"date": park.slot.date.isoformat()})

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert "the database went away" not in response.content.decode()
    assert any(
        record.levelname == "ERROR" and record.exc_info and record.exc_info[0] is RuntimeError
        for record in caplog.records
    )


def test_an_unknown_api_address_answers_json_404(db):
    response = visitor().get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_control_characters_in_an_api_query_string_answer_json_400(db):
    response = visitor().get(f"{AVAILABILITY}?date=2026-12-01&partner={encoded(chr(0))}")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_control_characters_in_an_api_path_answer_json_404(park, partner):
    response = partner.get(f"{ORDERS}/{park.order.token}{encoded(chr(0))}")

    assert response.status_code == 404
    assert response.json()["detail"]


@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(date=st.text(max_size=40))
def test_availability_answers_any_date(park, date):
    response = visitor().get(AVAILABILITY, {"date": date})

    if has_control_characters(date):
        assert response.status_code == 400
    else:
        assert response.status_code in (200, 422)
    assert response["Content-Type"].startswith("application/json")


@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    contact=st.fixed_dictionaries(
        {
            "name": st.text(max_size=120),
            "phone": st.text(max_size=40),
            "email": st.text(max_size=60),
        }
    ),
    quantity=st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=5), st.none()),
)
def test_order_with_any_contact_and_quantity_is_never_a_server_error(
    park, partner, contact, quantity
):
    body = order_body(park)
    body["contact"] = contact
    body["lines"][0]["quantity"] = quantity
    before = database_state()

    response = post_json(partner, json.dumps(body))

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    if response.status_code != 201:
        assert database_state() == before


def test_any_authorization_header_is_answered_401_json_and_books_nothing(park):
    before = database_state()
    headers = [
        *HOSTILE_TEXT,
        *(f"Bearer {value}" for value in HOSTILE_TEXT),
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer hg_" + "a" * 40,
        "Bearer hg_" + "a" * 5000,
    ]
    answers = []
    for header in headers:
        client = visitor()
        client.defaults["HTTP_AUTHORIZATION"] = header
        answers.append((repr(header)[:40], post_json(client, order_body(park))))

    assert server_errors(answers) == []
    assert not_json(answers) == []
    assert {response.status_code for _label, response in answers} == {401}
    assert database_state() == before
