"""What one partner order costs: a fixed number of queries, and one round trip to Redis for
its rate limit. A change that adds a query to the booking path fails here."""

import json
import os
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.tickets.factories import SlotFactory, TicketTypeFactory, bearer, partner_key
from tourism.tickets.models import Order, SeasonPrice, Ticket
from tourism.tickets.partners import PartnerOrder
from tourism.tickets.ratelimit import rate_limit_hit
from tourism.tickets.rules import BookingRules

ORDERS = "/api/v1/orders"

# One order, with its key already used this minute and the park's rules saved:
#   the page cache's version (the key, the rules and the day's prices then come from the
#   cache, tests/tickets/test_booking_reads_cached.py); the slot with its day's closure;
#   then in one transaction (here a savepoint and its release, inside the test's own
#   transaction; BEGIN and COMMIT in production): the phone's lock row and its tickets
#   that day, the order and its history entry (written without Wagtail's per-entry
#   validation, core/history.py), its lines, its tickets, its log, the partner's record,
#   and last the capacity take and the closure read again. Holds run out are released
#   only when a time lacks the places (tests/tickets/test_capacity.py).
ORDER_QUERIES = 14
# Only PostgreSQL bounds its lock waits (its lock_timeout, set through set_config).
ORDER_QUERIES_POSTGRESQL_EXTRA = 1


pytestmark = pytest.mark.usefixtures("partner_api_at_the_gate")


@pytest.fixture
def client(db):
    BookingRules.current().save()
    return Client(**bearer(partner_key(rate_limit_per_minute=10_000)[1]))


def post_order(client, slot, lines, phone):
    body = {
        "slot_id": slot.pk,
        "lines": [{"ticket_type_id": t.pk, "quantity": q} for t, q in lines],
        "contact": {"name": "李旅行社", "phone": phone, "email": "agent@example.com"},
    }
    return client.post(ORDERS, data=json.dumps(body), content_type="application/json")


def queries_of_an_order(client, slot, lines, phone) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = post_order(client, slot, lines, phone)
    assert response.status_code == 201, response.content
    return [query["sql"] for query in captured.captured_queries]


def expected_queries() -> int:
    extra = ORDER_QUERIES_POSTGRESQL_EXTRA if connection.vendor == "postgresql" else 0
    return ORDER_QUERIES + extra


def test_an_api_order_takes_a_fixed_number_of_queries(client):
    adult = TicketTypeFactory(price=Decimal("60.00"))
    slot = SlotFactory(capacity=100)
    # The first order of the minute also records when the key was last used.
    assert post_order(client, slot, [(adult, 1)], "13800000001").status_code == 201

    sql = queries_of_an_order(client, slot, [(adult, 2)], "13800000002")

    assert len(sql) == expected_queries(), "\n".join(sql)
    order = Order.objects.get(contact_phone="13800000002")
    assert Ticket.objects.filter(order=order).count() == 2
    assert PartnerOrder.objects.filter(order=order).exists()


def test_more_lines_and_season_prices_add_no_queries(client):
    adult = TicketTypeFactory(price=Decimal("60.00"))
    child = TicketTypeFactory(audience="child", price=Decimal("30.00"))
    senior = TicketTypeFactory(audience="senior", price=Decimal("40.00"))
    slot = SlotFactory(capacity=100)
    SeasonPrice.objects.create(
        ticket_type=adult, starts_on=slot.date, ends_on=slot.date, price=Decimal("80.00")
    )
    assert post_order(client, slot, [(adult, 1)], "13800000001").status_code == 201

    sql = queries_of_an_order(client, slot, [(adult, 1), (child, 2), (senior, 1)], "13800000003")

    assert len(sql) == expected_queries(), "\n".join(sql)
    order = Order.objects.get(contact_phone="13800000003")
    assert order.total == Decimal("180.00")
    assert {line.unit_price for line in order.lines.all()} == {
        Decimal("80.00"),
        Decimal("30.00"),
        Decimal("40.00"),
    }


@pytest.fixture
def redis_cache(settings):
    """The shared cache on the Redis at REDIS_URL (default: this machine's), when one answers."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    prefix = f"huagu-test-ratelimit-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(url)
    yield client
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_on_redis_the_rate_limit_counts_in_one_transaction_with_an_expiry(redis_cache):
    now = 1_000_000.0
    allowed = [rate_limit_hit("test:client", limit=3, now=now) for _ in range(5)]

    assert allowed == [True, True, True, False, False]
    (key,) = [k.decode() for k in redis_cache.scan_iter("huagu-test-ratelimit-*")]
    assert redis_cache.get(key) == b"5"
    assert 0 < redis_cache.ttl(key) <= 70
    # The next minute counts afresh.
    assert rate_limit_hit("test:client", limit=3, now=now + 60)
