"""Partners' API keys: who may book through the API, at what rate, and which orders each key made."""

import datetime
import hashlib
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.tickets.factories import (
    PartnerFactory,
    SlotFactory,
    TicketTypeFactory,
    UserFactory,
    bearer,
    order_for,
    partner_key,
    user_in_role,
)
from tourism.tickets.models import Order
from tourism.tickets.partner_keys import api_key_authenticate, api_key_revoke
from tourism.tickets.partners import ApiKey, PartnerOrder

AVAILABILITY = "/api/v1/availability"
ORDERS = "/api/v1/orders"


pytestmark = pytest.mark.usefixtures("partner_api_at_the_gate")


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def slot(db):
    return SlotFactory()


def order_body(slot, adult, quantity=2) -> str:
    return json.dumps(
        {
            "slot_id": slot.pk,
            "lines": [{"ticket_type_id": adult.pk, "quantity": quantity}],
            "contact": {"name": "李导游", "phone": "13800000000", "email": "guide@example.com"},
        }
    )


def post_order(client, slot, adult, quantity=2, **extra):
    return client.post(
        ORDERS, data=order_body(slot, adult, quantity), content_type="application/json", **extra
    )


# --- who may book -----------------------------------------------------------------------


def test_anonymous_availability_still_works(slot, adult):
    response = Client().get(AVAILABILITY, {"date": slot.date.isoformat()})

    assert response.status_code == 200
    assert [s["remaining"] for s in response.json()["slots"]] == [slot.capacity]


def test_anonymous_order_creation_is_refused_401_and_books_nothing(slot, adult):
    response = post_order(Client(), slot, adult)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert not Order.objects.exists()
    slot.refresh_from_db()
    assert slot.taken == 0


def test_anonymous_order_status_is_refused_401(slot, adult):
    order = order_for(slot, {adult: 1})

    response = Client().get(f"{ORDERS}/{order.token}")

    assert response.status_code == 401
    assert "reference" not in response.json()


def _refusal(client, slot, adult, **extra) -> tuple[int, str]:
    response = post_order(client, slot, adult, **extra)
    return response.status_code, response.json()["detail"]


def test_a_wrong_key_is_refused_with_its_reason(slot, adult):
    _api_key, raw = partner_key()
    wrong = raw[:-1] + ("A" if raw[-1] != "A" else "B")

    assert _refusal(Client(**bearer(wrong)), slot, adult) == (
        401,
        "此 API 密钥无效。请核对，或向景区申请密钥。",
    )
    assert _refusal(Client(**bearer("not-a-key")), slot, adult)[0] == 401
    # The key sent in another scheme is no key at all.
    assert _refusal(Client(HTTP_AUTHORIZATION=f"Token {raw}"), slot, adult)[0] == 401
    assert not Order.objects.exists()


def test_a_revoked_key_is_refused(slot, adult):
    api_key, raw = partner_key()
    client = Client(**bearer(raw))
    assert post_order(client, slot, adult).status_code == 201

    api_key_revoke(api_key=api_key)

    status, detail = _refusal(client, slot, adult, HTTP_ACCEPT_LANGUAGE="en")
    assert (status, detail) == (401, "This API key has been revoked. Ask the park for a new key.")
    assert Order.objects.count() == 1


def test_an_expired_key_is_refused(slot, adult):
    _api_key, raw = partner_key(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    status, detail = _refusal(Client(**bearer(raw)), slot, adult, HTTP_ACCEPT_LANGUAGE="en")

    assert (status, detail) == (401, "This API key has expired. Ask the park for a new key.")


def test_a_key_of_an_inactive_partner_is_refused(slot, adult):
    api_key, raw = partner_key()
    api_key.partner.active = False
    api_key.partner.save()

    status, detail = _refusal(Client(**bearer(raw)), slot, adult, HTTP_ACCEPT_LANGUAGE="en")

    assert (status, detail) == (401, "This partner's access is suspended. Please contact the park.")


def test_a_key_that_expires_later_is_accepted(slot, adult):
    _api_key, raw = partner_key(expires_at=timezone.now() + datetime.timedelta(days=1))

    assert post_order(Client(**bearer(raw)), slot, adult).status_code == 201


def test_guessing_keys_from_one_address_is_limited_too(settings, slot, adult):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    guesser = Client(REMOTE_ADDR="203.0.113.9", **bearer("hg_" + "x" * 40))

    statuses = [post_order(guesser, slot, adult).status_code for _ in range(4)]
    refused = post_order(guesser, slot, adult)

    assert statuses == [401, 401, 401, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60


# --- what a key made --------------------------------------------------------------------


def test_an_order_records_the_key_and_partner_that_made_it(slot, adult):
    api_key, raw = partner_key()

    created = post_order(Client(**bearer(raw)), slot, adult).json()

    order = Order.objects.get(reference=created["reference"])
    assert order.channel == Order.Channel.API
    assert order.partner_record.api_key == api_key
    assert order.partner_record.api_key.partner == api_key.partner
    assert list(api_key.orders.values_list("order__reference", flat=True)) == [order.reference]


def test_a_partner_reads_its_own_orders_and_no_one_elses(slot, adult):
    _key, ours = partner_key()
    _other, theirs = partner_key()
    created = post_order(Client(**bearer(ours)), slot, adult).json()
    web_order = order_for(slot, {adult: 1})

    mine = Client(**bearer(ours)).get(f"{ORDERS}/{created['token']}")
    other_partners = Client(**bearer(theirs)).get(f"{ORDERS}/{created['token']}")
    not_through_the_api = Client(**bearer(ours)).get(f"{ORDERS}/{web_order.token}")

    assert mine.status_code == 200
    assert mine.json()["reference"] == created["reference"]
    assert other_partners.status_code == 404
    assert not_through_the_api.status_code == 404


def test_an_order_refused_by_the_booking_service_leaves_no_partner_record(slot, adult):
    _api_key, raw = partner_key()

    response = post_order(Client(**bearer(raw)), slot, adult, quantity=slot.capacity + 1)

    assert response.status_code == 409
    assert not Order.objects.exists()
    assert not PartnerOrder.objects.exists()


# --- per-key limits ---------------------------------------------------------------------


def test_over_its_limit_a_key_gets_429_with_retry_after_and_other_keys_do_not(slot, adult):
    _api_key, raw = partner_key(rate_limit_per_minute=2)
    _other, other_raw = partner_key(rate_limit_per_minute=2)
    client = Client(**bearer(raw))

    statuses = [post_order(client, slot, adult, quantity=1).status_code for _ in range(2)]
    refused = post_order(client, slot, adult, quantity=1, HTTP_ACCEPT_LANGUAGE="en")

    assert statuses == [201, 201]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many requests with this API key")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Order.objects.count() == 2
    # Order status reads count against the same key; another key has its own count.
    assert client.get(f"{ORDERS}/whatever").status_code == 429
    assert post_order(Client(**bearer(other_raw)), slot, adult, quantity=1).status_code == 201


def test_the_limit_of_a_new_key_comes_from_settings(settings, db):
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 45

    api_key, _raw = partner_key()

    assert api_key.rate_limit_per_minute == 45


def test_last_used_is_written_at_most_once_a_minute(db):
    api_key, raw = partner_key()
    first = timezone.now()

    api_key_authenticate(raw, now=first)
    api_key_authenticate(raw, now=first + datetime.timedelta(seconds=30))
    api_key.refresh_from_db()
    assert api_key.last_used_at == first

    later = first + datetime.timedelta(minutes=2)
    api_key_authenticate(raw, now=later)
    api_key.refresh_from_db()
    assert api_key.last_used_at == later


# --- the key is a secret ----------------------------------------------------------------


def test_the_key_is_not_stored_in_clear(db):
    api_key, raw = partner_key()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table} WHERE id = %s", [api_key.pk])
        row = cursor.fetchone()

    stored = " ".join(str(value) for value in row)
    assert raw not in stored
    assert raw[len(api_key.prefix) :] not in stored
    assert hashlib.sha256(raw.encode()).hexdigest() in stored
    assert api_key.prefix == raw[:11]


def test_the_admin_shows_a_new_key_once(db, client):
    partner = PartnerFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.post(
        reverse("tourism_apikey:add"),
        {"partner": partner.pk, "label": "小程序", "rate_limit_per_minute": 30, "expires_at": ""},
    )

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    page = response.content.decode()
    shown = re.search(r'value="([^"]+)"[^>]*data-api-key', page)
    raw = shown.group(1) if shown else ""
    assert raw.startswith(api_key.prefix)
    assert hashlib.sha256(raw.encode()).hexdigest() == api_key.key_hash
    assert "no-store" in response["Cache-Control"]
    assert (api_key.created_by, api_key.rate_limit_per_minute) == (admin, 30)
    # Every later page shows its first characters only.
    for url in (reverse("tourism_apikey:index"), reverse("tourism_apikey:edit", args=[api_key.pk])):
        later = client.get(url)
        assert later.status_code == 200
        assert api_key.prefix in later.content.decode()
        assert raw not in later.content.decode()
    # The key works at once.
    assert api_key_authenticate(raw) == api_key


def test_the_admin_revokes_a_key(db, client):
    api_key, _raw = partner_key()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.post(
        reverse("tourism_apikey:edit", args=[api_key.pk]),
        {"label": api_key.label, "rate_limit_per_minute": 10, "expires_at": "", "revoke": "on"},
    )

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert api_key.state() == "revoked"


@pytest.mark.parametrize("group", ["Editors", "Gate staff", "Farm managers", "Officials"])
def test_staff_roles_cannot_see_partners_or_keys(db, client, group):
    partner_key()
    client.force_login(user_in_role(group))

    for name in ("tourism_apikey:index", "tourism_apikey:add", "tourism_partner:index"):
        assert client.get(reverse(name)).status_code in (302, 403), name


def test_the_order_desk_names_the_partner_and_filters_by_it(slot, adult, client):
    api_key, raw = partner_key()
    created = post_order(Client(**bearer(raw)), slot, adult).json()
    order_for(slot, {adult: 1})
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    order = Order.objects.get(reference=created["reference"])

    page = client.get(reverse("tourism_order:inspect", args=[order.pk])).content.decode()
    listing = client.get(reverse("tourism_order:index"), {"partner": api_key.partner_id})

    assert api_key.partner.name in page
    assert api_key.prefix in page
    assert [o.reference for o in listing.context["object_list"]] == [order.reference]


# --- the command ------------------------------------------------------------------------


def test_issue_api_key_prints_a_working_key_once(db):
    partner = PartnerFactory(name="峨眉旅行社")
    out = StringIO()

    call_command("issue_api_key", "峨眉旅行社", "--label", "booking system", stdout=out)

    raw = out.getvalue().splitlines()[1].strip()
    api_key = api_key_authenticate(raw)
    assert (api_key.partner, api_key.label) == (partner, "booking system")
    assert not ApiKey.objects.filter(key_hash=raw).exists()


def test_issue_api_key_for_an_unknown_partner_is_an_error(db):
    with pytest.raises(CommandError, match="No partner is named"):
        call_command("issue_api_key", "无此旅行社", stdout=StringIO())
    assert not ApiKey.objects.exists()


# --- the docs ---------------------------------------------------------------------------


def test_the_schema_documents_the_bearer_key_on_orders_and_not_on_availability(db):
    schema = Client().get("/api/v1/openapi.json").json()

    schemes = schema["components"]["securitySchemes"]
    assert [(s["type"], s["scheme"]) for s in schemes.values()] == [("http", "bearer")]
    (name,) = schemes
    paths = schema["paths"]
    assert paths["/api/v1/orders"]["post"]["security"] == [{name: []}]
    assert paths["/api/v1/orders/{token}"]["get"]["security"] == [{name: []}]
    assert "security" not in paths["/api/v1/availability"]["get"]
    assert "401" in paths["/api/v1/orders"]["post"]["responses"]
    assert "Authorization: Bearer <key>" in schema["info"]["description"]
