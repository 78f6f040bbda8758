"""The API reads JSON bodies only: anything a cross-site form could send is refused 415."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from tests.tickets.factories import SlotFactory, TicketTypeFactory, bearer, partner_key
from tourism.tickets.models import Order

ORDERS = "/api/v1/orders"


pytestmark = pytest.mark.usefixtures("partner_api_at_the_gate")


@pytest.fixture
def client(db):
    """A partner's client: orders need its API key, whatever the body."""
    return Client(**bearer(partner_key(rate_limit_per_minute=10_000)[1]))


@pytest.fixture
def order_json(db) -> str:
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    slot = SlotFactory()
    return json.dumps(
        {
            "slot_id": slot.pk,
            "lines": [{"ticket_type_id": adult.pk, "quantity": 1}],
            "contact": {"name": "李旅行社", "phone": "+86 138 0000 0000", "email": "a@example.com"},
        }
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=BoUnDaRy",
        "application/json-patch+json",
    ],
)
def test_an_order_sent_as_anything_but_json_is_refused_415(client, order_json, content_type):
    response = client.post(ORDERS, data=order_json, content_type=content_type)

    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    assert "application/json" in response.json()["detail"]
    assert not Order.objects.exists()


def test_an_order_without_a_content_type_is_refused_415(client, order_json):
    response = client.generic("POST", ORDERS, data=order_json.encode(), content_type="")

    assert response.status_code == 415
    assert not Order.objects.exists()


def test_a_cross_site_form_post_creates_no_order(client, order_json):
    """What a page elsewhere can make a visitor's browser send without a preflight.

    A body that is not JSON is refused (415) before anything else is read, with a partner's
    key or, as such a post would come, without one.
    """
    response = client.post(
        ORDERS,
        data=order_json,
        content_type="text/plain",
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    without_key = Client(HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site")

    assert response.status_code == 415
    assert without_key.post(ORDERS, data=order_json, content_type="text/plain").status_code == 415
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_an_order_sent_as_json_is_created(client, order_json, content_type):
    response = client.post(ORDERS, data=order_json, content_type=content_type)

    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_the_refusal_is_in_the_partners_language(client, order_json):
    chinese = client.post(ORDERS, data=order_json, content_type="text/plain")
    english = client.post(
        ORDERS, data=order_json, content_type="text/plain", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert english.json()["detail"].startswith("Send the request body as JSON")
    assert chinese.json()["detail"] != english.json()["detail"]


def test_the_schema_documents_415_for_orders(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    assert "415" in schema["paths"]["/api/v1/orders"]["post"]["responses"]
