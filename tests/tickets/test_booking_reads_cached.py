"""What every booking reads (the rules, the day's prices, the partner's key) comes from the
cache under the page cache's version, and a change to any of them reaches the next order."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from core.logs import request_var
from tests.tickets.factories import SlotFactory, TicketTypeFactory, bearer, partner_key
from tourism.models import TicketType
from tourism.page_cache import page_cache_invalidate, page_cache_key, page_cache_version
from tourism.tickets import partner_keys
from tourism.tickets.models import ClosedDay, Order, SeasonPrice
from tourism.tickets.partner_keys import api_key_authenticate, api_key_revoke
from tourism.tickets.partners import ApiKey, api_key_digest
from tourism.tickets.rules import BookingRules

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partner_api_at_the_gate")]

ORDERS = "/api/v1/orders"
CACHED_TABLES = (
    BookingRules._meta.db_table,
    TicketType._meta.db_table,
    SeasonPrice._meta.db_table,
    ApiKey._meta.db_table,
)


@pytest.fixture
def key(db):
    return partner_key(rate_limit_per_minute=10_000)


@pytest.fixture
def client(key):
    return Client(**bearer(key[1]))


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def slot(db):
    return SlotFactory(capacity=100)


@pytest.fixture
def rules(db):
    rules, _ = BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"max_tickets_per_phone": 10}
    )
    return rules


phones = iter(f"139{n:08d}" for n in range(10**6))


def book(client, slot, ticket_type, quantity=1, phone=None):
    body = {
        "slot_id": slot.pk,
        "lines": [{"ticket_type_id": ticket_type.pk, "quantity": quantity}],
        "contact": {"name": "李导游", "phone": phone or next(phones)},
    }
    return client.post(
        ORDERS, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def total_of(response) -> Decimal:
    assert response.status_code == 201, response.content
    return Order.objects.get(token=response.json()["token"]).total


def test_a_second_order_reads_no_rules_prices_or_key_from_the_database(client, rules, adult, slot):
    assert book(client, slot, adult).status_code == 201

    with CaptureQueriesContext(connection) as queries:
        assert book(client, slot, adult).status_code == 201

    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if any(f'"{t}"' in s for t in CACHED_TABLES)]
    # The version that keys them is read once for the whole request; the day's closure
    # only once the places are taken (a day closed meanwhile is refused then).
    assert sum("tourism_pagecacheversion" in s for s in statements) == 1
    assert sum(f'"{ClosedDay._meta.db_table}"' in s for s in statements) == 1


def test_a_season_price_saved_prices_the_next_order_and_its_removal_too(client, rules, adult, slot):
    assert total_of(book(client, slot, adult, quantity=2)) == Decimal("120.00")

    season = SeasonPrice.objects.create(
        ticket_type=adult, starts_on=slot.date, ends_on=slot.date, price=Decimal("80.00")
    )
    assert total_of(book(client, slot, adult, quantity=2)) == Decimal("160.00")

    season.price = Decimal("75.50")
    season.save()
    assert total_of(book(client, slot, adult, quantity=2)) == Decimal("151.00")

    season.delete()
    assert total_of(book(client, slot, adult, quantity=2)) == Decimal("120.00")


def test_a_ticket_type_taken_off_sale_is_refused_on_the_next_order(client, rules, adult, slot):
    assert book(client, slot, adult).status_code == 201
    adult.active = False
    adult.save()

    response = book(client, slot, adult)

    assert response.status_code == 422
    assert "One of the ticket types is not on sale." in str(response.json()["detail"])
    assert Order.objects.count() == 1


def test_a_day_closed_refuses_the_next_booking_and_reopened_takes_it_again(
    client, rules, adult, slot
):
    assert book(client, slot, adult).status_code == 201
    closed = ClosedDay.objects.create(date=slot.date, reason="大风")

    # Refused on reading the slot, before anything is written: the cache knows at once.
    with CaptureQueriesContext(connection) as queries:
        refused = book(client, slot, adult)
    assert refused.status_code == 422
    assert "The park is closed on that day." in str(refused.json()["detail"])
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]

    closed.delete()
    assert book(client, slot, adult).status_code == 201
    assert Order.objects.count() == 2


def test_rules_saved_apply_to_the_next_booking(client, rules, adult, slot):
    assert book(client, slot, adult, quantity=3, phone="13800000001").status_code == 201
    rules.max_tickets_per_phone = 4
    rules.save()

    refused = book(client, slot, adult, quantity=2, phone="13800000001")

    assert refused.status_code == 422
    assert Order.objects.count() == 1


def test_a_suspended_partner_is_refused_on_its_next_request(client, key, rules, adult, slot):
    assert book(client, slot, adult).status_code == 201
    partner = key[0].partner
    partner.active = False
    partner.save()

    response = book(client, slot, adult)

    assert response.status_code == 401
    assert response.json()["detail"] == (
        "This partner's access is suspended. Please contact the park."
    )


def test_a_deleted_key_is_refused_on_its_next_request(client, key, rules, adult, slot):
    # A key that made no order yet can be deleted (orders keep theirs); looked up once, it
    # is in the cache.
    assert api_key_authenticate(key[1]).pk == key[0].pk
    ApiKey.objects.get(pk=key[0].pk).delete()

    assert book(client, slot, adult).status_code == 401


def test_made_up_keys_are_not_kept_in_the_cache(rules, adult, slot):
    made_up = "hg_" + "x" * 40
    assert book(Client(**bearer(made_up)), slot, adult).status_code == 401
    assert cache.get(page_cache_key(f"api-key:{api_key_digest(made_up)}")) is None


def test_a_key_revoked_while_it_is_being_checked_is_not_kept_under_the_new_version(
    key, monkeypatch
):
    """Outside a request the version is read on each call: the key read under the old
    version is written back (its first use is recorded) under that version, not the new."""
    api_key, raw = key
    read = partner_keys._key_cached

    def read_then_revoked_meanwhile(digest, cache_key):
        found = read(digest, cache_key)
        api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.pk))
        return found

    monkeypatch.setattr(partner_keys, "_key_cached", read_then_revoked_meanwhile)
    assert api_key_authenticate(raw).pk == api_key.pk  # read before the revocation
    monkeypatch.undo()

    with pytest.raises(partner_keys.ApiKeyRefused, match="吊销"):
        api_key_authenticate(raw)


def test_a_request_that_changes_something_reads_the_new_version_after_it(rf):
    request = rf.get("/")
    token = request_var.set(request)
    try:
        before = page_cache_version()
        page_cache_invalidate()
        assert page_cache_version() != before
        assert page_cache_version() == page_cache_version(request=request)
    finally:
        request_var.reset(token)


def test_a_migration_replaces_the_version(db):
    before = page_cache_version()
    call_command("migrate", verbosity=0)
    assert page_cache_version() != before
