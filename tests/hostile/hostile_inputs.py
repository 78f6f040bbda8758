"""The hostile values fed to every public form, query string, path, the gate and the API.

Shared by the modules of this directory; the fixtures they use come from
``tests/conftest.py`` and the ticket factories.
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

from django.db.models import Sum
from django.test import Client
from wagtail.models import Page

from tests.tickets.factories import SlotFactory, TicketTypeFactory, order_for
from tourism.tickets.models import (
    Order,
    OrderLine,
    OrderLog,
    Payment,
    ProcessedEvent,
    Refund,
    Slot,
    Ticket,
)

CONTROL_CHARACTERS = [
    "\x00",
    "花\x00谷",
    "\x01",
    "\x08",
    "\t",
    "\r\nSet-Cookie: hijack=1",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\x9f",
]

MALFORMED_DATES = [
    "10000-01-01",
    "9999-12-31",
    "9999-12",
    "0000-00-00",
    "0001-01-01",
    "0001-01",
    "-2026-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-13",
    "2026-W01-1",
    "20261201",
    "1e10",
]

NUMBERS = ["NaN", "nan", "Infinity", "-inf", "-1", "0", "1.5", "9" * 40, "1e400", str(2**63)]

# Text a tourist could not mean where ASCII, a number or a date is expected.
ODD_TEXT = [
    "票",
    "Ａ１２３４５６",
    "ß",
    "ﬃ",
    "🌸" * 3,
    "\u202e",
    "\u200b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "{{ 7*7 }}",
    # Full-text query syntax (SQLite FTS5, PostgreSQL tsquery).
    '"',
    '"花海',
    'rose"garden',
    "it's",
    "\\",
    "*",
    "NEAR(rose garden)",
    "rose AND NOT OR",
    "'&|!:*()<->",
    "-rose +garden ^",
    "x" * 5000,
    "花" * 2000,
    "",
    " ",
]

HOSTILE_TEXT = CONTROL_CHARACTERS + MALFORMED_DATES + NUMBERS + ODD_TEXT

# Already percent-encoded: invalid UTF-8, an encoded surrogate, broken escapes.
RAW_ESCAPES = ["%FF", "%ED%A0%80", "%C0%80", "%", "%zz", "%%00"]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    """C0 and C1 control characters and DEL: what an address may not hold."""
    return _CONTROL.search(text) is not None


def encoded(value: str) -> str:
    """``value`` as it would appear percent-encoded in a path segment or query value."""
    return quote(value, safe="")


def hostile_in_address() -> list[str]:
    """Every hostile value, encoded for a URL, and the raw escapes as they are."""
    return [encoded(value) for value in HOSTILE_TEXT] + RAW_ESCAPES


def visitor() -> Client:
    """A client that shows a server error as a 500 response rather than raising it."""
    return Client(raise_request_exception=False)


def database_state() -> dict:
    """What a refused request must leave as it found it."""
    return {
        "orders": Order.objects.count(),
        "order statuses": sorted(Order.objects.values_list("status", flat=True)),
        "order lines": OrderLine.objects.count(),
        "order log": OrderLog.objects.count(),
        "tickets": Ticket.objects.count(),
        "tickets checked in": Ticket.objects.filter(checked_in_at__isnull=False).count(),
        "payments": Payment.objects.count(),
        "refunds": Refund.objects.count(),
        "events": ProcessedEvent.objects.count(),
        "slots": Slot.objects.count(),
        "places taken": Slot.objects.aggregate(n=Sum("taken"))["n"] or 0,
        "pages": Page.objects.count(),
    }


def server_errors(responses) -> list[str]:
    """``(label, response)`` pairs answered 5xx, one line each, for the failure message."""
    return [
        f"{response.status_code} {label}"
        for label, response in responses
        if response.status_code >= 500
    ]


def tickets_on_sale():
    """Adult ¥60 and child ¥30, a slot a week ahead, another the day after, and an order."""
    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    child = TicketTypeFactory(
        name="儿童票", name_en="Child", audience="child", price=Decimal("30.00")
    )
    slot = SlotFactory(capacity=20)
    next_day = SlotFactory(date=slot.date + datetime.timedelta(days=1), capacity=20)
    order = order_for(slot, {adult: 1})
    return SimpleNamespace(adult=adult, child=child, slot=slot, next_day=next_day, order=order)
