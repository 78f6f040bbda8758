"""The channel-partner JSON API: availability, orders, order status, limits, schema."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    bearer,
    order_for,
    partner_key,
)
from tourism.tickets import payments
from tourism.tickets.models import ClosedDay, Order, Payment, SeasonPrice, Slot
from tourism.tickets.payments.base import PaymentProvider
from tourism.tickets.ratelimit import client_address, rate_limit_hit, seconds_left_in_window

AVAILABILITY = "/api/v1/availability"
ORDERS = "/api/v1/orders"


pytestmark = pytest.mark.usefixtures("partner_api_at_the_gate")


@pytest.fixture
def key(db):
    """The partner's key as it sends it; a generous limit of its own."""
    return partner_key(rate_limit_per_minute=10_000)[1]


@pytest.fixture
def client(key):
    """A partner's client: every request carries its API key."""
    return Client(**bearer(key))


@pytest.fixture
def fares(db):
    return SimpleNamespace(
        adult=TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00")),
        child=TicketTypeFactory(
            name="儿童票", name_en="Child", audience="child", price=Decimal("30.00")
        ),
    )


@pytest.fixture
def slot(db):
    """09:00–10:00 a week from today, 10 places."""
    return SlotFactory()


def order_body(slot, fares, **changes) -> dict:
    body = {
        "slot_id": slot.pk,
        "lines": [
            {"ticket_type_id": fares.adult.pk, "quantity": 2},
            {"ticket_type_id": fares.child.pk, "quantity": 1},
        ],
        "contact": {"name": "李旅行社", "phone": "+86 138 0000 0000", "email": "agent@example.com"},
    }
    body.update(changes)
    return body


def post_json(client: Client, path: str, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **extra)


# --- availability ----------------------------------------------------------------------


def test_availability_lists_slots_with_places_left_and_the_days_prices(client, fares, slot):
    later = SlotFactory(
        date=slot.date, starts_at=datetime.time(10), ends_at=datetime.time(11), capacity=5
    )
    order_for(slot, {fares.adult: 3})
    SeasonPrice.objects.create(
        ticket_type=fares.adult,
        name="Peak",
        starts_on=slot.date,
        ends_on=slot.date,
        price=Decimal("80.00"),
    )

    response = client.get(AVAILABILITY, {"date": slot.date.isoformat()})

    assert response.status_code == 200
    assert response.json() == {
        "date": slot.date.isoformat(),
        "closed": False,
        "closed_reason": "",
        "slots": [
            {
                "id": slot.pk,
                "starts_at": "09:00:00",
                "ends_at": "10:00:00",
                "remaining": 7,
                "bookable": True,
            },
            {
                "id": later.pk,
                "starts_at": "10:00:00",
                "ends_at": "11:00:00",
                "remaining": 5,
                "bookable": True,
            },
        ],
        "prices": [
            {
                "ticket_type_id": fares.adult.pk,
                "name": "成人票",
                "name_en": "Adult",
                "audience": "adult",
                "price": "80.00",
            },
            {
                "ticket_type_id": fares.child.pk,
                "name": "儿童票",
                "name_en": "Child",
                "audience": "child",
                "price": "30.00",
            },
        ],
    }


def test_availability_of_a_closed_day_offers_nothing(client, fares, slot):
    ClosedDay.objects.create(date=slot.date, reason="检修", reason_en="Maintenance")

    body = client.get(AVAILABILITY, {"date": slot.date.isoformat()}).json()

    assert body["closed"] is True
    assert [(s["remaining"], s["bookable"]) for s in body["slots"]] == [(0, False)]


# --- create an order -------------------------------------------------------------------


def test_order_is_created_reserved_for_payment_at_the_gate(client, fares, slot):
    response = post_json(client, ORDERS, order_body(slot, fares))

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get()
    assert body == {
        "reference": order.reference,
        "token": order.token,
        "status": "reserved",
        "hold_expires_at": None,
        "total": "150.00",
        "payment_url": None,
        "order_url": f"http://testserver/tickets/order/{order.token}/",
    }
    assert order.channel == "api"
    assert (order.contact_name, order.contact_email) == ("李旅行社", "agent@example.com")
    assert order.tickets.count() == 3
    slot.refresh_from_db()
    assert slot.taken == 3


def test_order_language_chooses_the_order_page_language(client, fares, slot):
    body = post_json(client, ORDERS, order_body(slot, fares, language="en")).json()

    order = Order.objects.get()
    assert order.language == "en"
    assert body["order_url"] == f"http://testserver/en/tickets/order/{order.token}/"


def test_order_language_defaults_to_the_partners_accept_language(client, fares, slot):
    one = {"lines": [{"ticket_type_id": fares.adult.pk, "quantity": 1}]}
    post_json(client, ORDERS, order_body(slot, fares, **one), HTTP_ACCEPT_LANGUAGE="en-GB,en")
    post_json(client, ORDERS, order_body(slot, fares, **one))

    assert list(Order.objects.order_by("pk").values_list("language", flat=True)) == [
        "en",
        "zh-hans",
    ]


class OnlineProvider(PaymentProvider):
    """Stands in for Stripe: the tourist pays on a page elsewhere."""

    name = "online-test"
    online = True

    def start_payment(self, order, *, base_url: str):
        return Payment.objects.create(
            order=order,
            provider=self.name,
            amount=order.total,
            provider_reference=f"session-{order.pk}",
            redirect_url=f"https://pay.example/session-{order.pk}",
        )


def test_order_with_online_payment_is_pending_with_a_payment_url(client, fares, slot, monkeypatch):
    monkeypatch.setattr(payments, "get_provider", OnlineProvider)
    monkeypatch.setattr(payments, "provider_for", lambda name: OnlineProvider())

    response = post_json(client, ORDERS, order_body(slot, fares))

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get()
    assert body["status"] == "pending"
    assert body["payment_url"] == f"https://pay.example/session-{order.pk}"
    hold = datetime.datetime.fromisoformat(body["hold_expires_at"])
    assert abs(hold - order.hold_expires_at) < datetime.timedelta(milliseconds=1)
    assert hold.utcoffset() == datetime.timedelta(hours=8)  # Asia/Shanghai, for the partner


def test_order_for_more_places_than_are_left_is_409(client, fares, slot):
    order_for(slot, {fares.adult: 8})

    response = post_json(client, ORDERS, order_body(slot, fares))

    assert response.status_code == 409
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert Order.objects.count() == 1
    slot.refresh_from_db()
    assert slot.taken == 8


def _yesterday_slot(_slot, _fares):
    return SlotFactory(date=timezone.localdate() - datetime.timedelta(days=1)).pk


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        (
            lambda slot, fares: {
                "contact": {"name": "李", "phone": "13800000000", "email": "not-an-email"}
            },
            ["body", "contact", "email"],
        ),
        (
            lambda slot, fares: {
                "contact": {"name": "李", "phone": "call me", "email": "a@example.com"}
            },
            ["body", "contact", "phone"],
        ),
        (
            lambda slot, fares: {"lines": [{"ticket_type_id": fares.adult.pk, "quantity": 0}]},
            ["body", "lines"],
        ),
        (lambda slot, fares: {"lines": []}, ["body", "lines"]),
        (
            lambda slot, fares: {"lines": [{"ticket_type_id": fares.adult.pk, "quantity": 21}]},
            ["body", "lines"],
        ),
        (
            lambda slot, fares: {"lines": [{"ticket_type_id": 987_654, "quantity": 1}]},
            ["body", "lines"],
        ),
        (
            lambda slot, fares: {"lines": [{"ticket_type_id": fares.adult.pk, "quantity": -1}]},
            ["body", "lines", 0, "quantity"],
        ),
        (lambda slot, fares: {"slot_id": _yesterday_slot(slot, fares)}, ["body", "slot_id"]),
        (lambda slot, fares: {"slot_id": 987_654}, ["body", "slot_id"]),
        (lambda slot, fares: {"slot_id": "1"}, ["body", "slot_id"]),
    ],
    ids=[
        "invalid-email",
        "invalid-phone",
        "zero-tickets",
        "no-lines",
        "too-many-tickets",
        "unknown-ticket-type",
        "negative-quantity",
        "past-date",
        "unknown-slot",
        "slot-id-as-string",
    ],
)
def test_bad_order_is_422_naming_the_field(client, fares, slot, change, loc):
    response = post_json(client, ORDERS, order_body(slot, fares, **change(slot, fares)))

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert loc in [error["loc"] for error in detail]
    assert all(isinstance(error["msg"], str) and error["msg"] for error in detail)
    assert not Order.objects.exists()
    assert not Slot.objects.filter(taken__gt=0).exists()


def test_missing_contact_is_422_naming_it(client, fares, slot):
    body = order_body(slot, fares)
    del body["contact"]

    response = post_json(client, ORDERS, body)

    assert response.status_code == 422
    assert ["body", "contact"] in [error["loc"] for error in response.json()["detail"]]


def test_partners_post_without_a_csrf_token(key, fares, slot):
    client = Client(enforce_csrf_checks=True, **bearer(key))

    assert post_json(client, ORDERS, order_body(slot, fares)).status_code == 201


# --- order status ----------------------------------------------------------------------


def test_order_status_by_token(client, fares, slot):
    created = post_json(client, ORDERS, order_body(slot, fares)).json()

    response = client.get(f"{ORDERS}/{created['token']}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == created["reference"]
    assert body["status"] == "reserved"
    assert (body["date"], body["starts_at"], body["ends_at"]) == (
        slot.date.isoformat(),
        "09:00:00",
        "10:00:00",
    )
    assert (body["quantity"], body["total"]) == (3, "150.00")
    assert body["lines"] == [
        {
            "ticket_type_id": fares.adult.pk,
            "name": "成人票",
            "name_en": "Adult",
            "quantity": 2,
            "unit_price": "60.00",
            "amount": "120.00",
        },
        {
            "ticket_type_id": fares.child.pk,
            "name": "儿童票",
            "name_en": "Child",
            "quantity": 1,
            "unit_price": "30.00",
            "amount": "30.00",
        },
    ]


@pytest.mark.parametrize("token", ["no-such-token", "a" * 65, "%E7%A5%A8", "%00", "x.y"])
def test_unknown_token_is_404_json(client, db, token):
    response = client.get(f"{ORDERS}/{token}")

    assert response.status_code == 404
    assert response.json()["detail"]


# --- nothing malformed gets a 500 ------------------------------------------------------


def malformed_requests(slot, fares):
    """(label, method, path, body, content type) for requests no partner should send."""
    good = order_body(slot, fares)
    line = {"ticket_type_id": fares.adult.pk, "quantity": 1}

    def with_(**changes):
        return json.dumps({**good, **changes})

    def contact(**changes):
        return with_(contact={**good["contact"], **changes})

    json_type = "application/json"
    requests = [
        ("no date", "get", AVAILABILITY, None, None),
        *[
            (f"date {value!r}", "get", f"{AVAILABILITY}?date={value}", None, None)
            for value in [
                "",
                "2026-02-30",
                "2026-13-01",
                "yesterday",
                "99999-01-01",
                "0000-01-01",
                "2026-01-01T10:00:00",
                "%00",
                "%F0%9F%8C%B8",
                "9" * 5000,
            ]
        ],
        ("empty body", "post", ORDERS, "", json_type),
        ("truncated JSON", "post", ORDERS, '{"slot_id": 1,', json_type),
        ("JSON null", "post", ORDERS, "null", json_type),
        ("JSON list", "post", ORDERS, "[]", json_type),
        ("JSON string", "post", ORDERS, '"order"', json_type),
        ("JSON infinity", "post", ORDERS, "1e999", json_type),
        ("nested too deep", "post", ORDERS, "[" * 100_000 + "]" * 100_000, json_type),
        ("not UTF-8", "post", ORDERS, b"\xff\xfe\x00{", json_type),
        (
            "form-encoded",
            "post",
            ORDERS,
            "slot_id=1&quantity=2",
            "application/x-www-form-urlencoded",
        ),
        ("too big", "post", ORDERS, json.dumps({**good, "pad": "x" * 3_000_000}), json_type),
        ("slot_id float", "post", ORDERS, with_(slot_id=1.5), json_type),
        ("slot_id bool", "post", ORDERS, with_(slot_id=True), json_type),
        ("slot_id null", "post", ORDERS, with_(slot_id=None), json_type),
        ("slot_id negative", "post", ORDERS, with_(slot_id=-1), json_type),
        ("slot_id zero", "post", ORDERS, with_(slot_id=0), json_type),
        ("slot_id huge", "post", ORDERS, with_(slot_id=10**30), json_type),
        ("slot_id 2**63", "post", ORDERS, with_(slot_id=2**63), json_type),
        ("slot_id object", "post", ORDERS, with_(slot_id={"id": 1}), json_type),
        ("lines object", "post", ORDERS, with_(lines={"1": 2}), json_type),
        ("lines of numbers", "post", ORDERS, with_(lines=[1, 2]), json_type),
        ("lines huge", "post", ORDERS, with_(lines=[line] * 10_000), json_type),
        ("same type twice", "post", ORDERS, with_(lines=[line, line]), json_type),
        ("quantity huge", "post", ORDERS, with_(lines=[{**line, "quantity": 10**30}]), json_type),
        ("quantity string", "post", ORDERS, with_(lines=[{**line, "quantity": "2"}]), json_type),
        ("quantity float", "post", ORDERS, with_(lines=[{**line, "quantity": 2.5}]), json_type),
        ("quantity negative", "post", ORDERS, with_(lines=[{**line, "quantity": -5}]), json_type),
        (
            "type id huge",
            "post",
            ORDERS,
            with_(lines=[{**line, "ticket_type_id": 10**19}]),
            json_type,
        ),
        ("line without type", "post", ORDERS, with_(lines=[{"quantity": 1}]), json_type),
        ("unknown field", "post", ORDERS, with_(coupon="FREE"), json_type),
        ("unknown line field", "post", ORDERS, with_(lines=[{**line, "price": 0}]), json_type),
        ("unknown contact field", "post", ORDERS, contact(wechat="abc"), json_type),
        (
            "contact missing",
            "post",
            ORDERS,
            json.dumps({"slot_id": slot.pk, "lines": [line]}),
            json_type,
        ),
        ("contact string", "post", ORDERS, with_(contact="李 13800000000"), json_type),
        ("name empty", "post", ORDERS, contact(name=""), json_type),
        ("name spaces", "post", ORDERS, contact(name="   "), json_type),
        ("name NUL", "post", ORDERS, contact(name="李\x00"), json_type),
        ("name lone surrogate", "post", ORDERS, contact(name="\ud800"), json_type),
        ("name too long", "post", ORDERS, contact(name="花" * 101), json_type),
        ("name number", "post", ORDERS, contact(name=12345), json_type),
        ("phone letters", "post", ORDERS, contact(phone="abcdefghij"), json_type),
        ("phone NUL", "post", ORDERS, contact(phone="1380000\x000000"), json_type),
        ("phone too long", "post", ORDERS, contact(phone="1" * 31), json_type),
        ("email invalid", "post", ORDERS, contact(email="@@"), json_type),
        ("email NUL", "post", ORDERS, contact(email="a@example.com\x00"), json_type),
        ("email too long", "post", ORDERS, contact(email="a" * 250 + "@example.com"), json_type),
        ("language unknown", "post", ORDERS, with_(language="fr"), json_type),
        ("language number", "post", ORDERS, with_(language=5), json_type),
        ("put orders", "put", ORDERS, with_(), json_type),
        ("delete order", "delete", f"{ORDERS}/abc", None, None),
        ("post availability", "post", AVAILABILITY, "{}", json_type),
        ("token NUL", "get", f"{ORDERS}/%00", None, None),
        ("token too long", "get", f"{ORDERS}/{'a' * 5000}", None, None),
    ]
    return requests


def test_no_malformed_request_gets_a_500(key, fares, slot):
    client = Client(raise_request_exception=False, **bearer(key))
    answers = []
    for label, method, path, body, content_type in malformed_requests(slot, fares):
        kwargs = {} if body is None else {"data": body, "content_type": content_type}
        response = getattr(client, method)(path, **kwargs)
        answers.append((label, response.status_code))

    not_4xx = [(label, status) for label, status in answers if not 400 <= status < 500]
    assert not_4xx == []
    # Validation answered each one, not the rate limit.
    assert [label for label, status in answers if status == 429] == []
    assert not Order.objects.exists()
    slot.refresh_from_db()
    assert slot.taken == 0


# --- rate limits -----------------------------------------------------------------------


def test_over_the_limit_an_anonymous_client_gets_429_with_retry_after(settings, fares, slot):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    query = {"date": slot.date.isoformat()}

    statuses = [client.get(AVAILABILITY, query).status_code for _ in range(3)]
    refused = client.get(AVAILABILITY, query)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address has its own count.
    assert Client(REMOTE_ADDR="203.0.113.8").get(AVAILABILITY, query).status_code == 200


def test_malformed_requests_count_against_the_keys_limit(db):
    _api_key, raw = partner_key(rate_limit_per_minute=2)
    client = Client(**bearer(raw))

    statuses = [post_json(client, ORDERS, "{").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


def test_rate_limit_window_starts_afresh_each_minute(db):
    minute = 1_800_000_000.0  # a whole minute, in seconds since the epoch

    within = [rate_limit_hit("test:window", limit=2, now=minute + s) for s in (0, 20, 59)]
    next_minute = rate_limit_hit("test:window", limit=2, now=minute + 60)

    assert within == [True, True, False]
    assert next_minute is True
    assert seconds_left_in_window(now=minute + 24.5) == 36


def test_ipv6_clients_are_counted_by_their_64_bit_network():
    def address(remote):
        return client_address(SimpleNamespace(META={"REMOTE_ADDR": remote}))

    assert address("2001:db8:1:2::5") == address("2001:db8:1:2:ffff::1")
    assert address("2001:db8:1:2::5") != address("2001:db8:1:3::5")
    assert address("203.0.113.7") == "203.0.113.7"


# --- schema ----------------------------------------------------------------------------


def test_openapi_schema_is_json_listing_the_three_paths(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["version"] == "1"
    assert {"/api/v1/availability", "/api/v1/orders", "/api/v1/orders/{token}"} <= set(
        schema["paths"]
    )
    assert "post" in schema["paths"]["/api/v1/orders"]
    assert {"201", "409", "422", "429"} <= set(
        schema["paths"]["/api/v1/orders"]["post"]["responses"]
    )


def test_api_docs_page_is_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200
