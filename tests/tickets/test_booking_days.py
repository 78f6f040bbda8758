"""The booking page carries each bookable day of its month, so a tourist reaches an order in
four requests: the booking page, the summary, the confirmation and the order page."""

import calendar
import datetime
from decimal import Decimal

import html5lib
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets.models import Order, SeasonPrice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def next_month() -> datetime.date:
    """The first of next month: its days are all ahead and within the booking horizon."""
    return (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def child(db):
    return TicketTypeFactory(name="儿童票", name_en="Child", price=Decimal("30.00"))


def days_in(response) -> dict[str, dict]:
    """Each day the page carries: its times (slot id → enabled), prices and whether it shows."""
    tree = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    return {
        day.get("data-day"): {
            "slots": {
                int(radio.get("value")): radio.get("disabled") is None
                for radio in day.iter("input")
            },
            "prices": day.get("data-prices").split("|"),
            "shown": day.get("hidden") is None,
        }
        for day in tree.iter("div")
        if day.get("class") == "slot-list" and day.get("data-day")
    }


def test_a_tourist_books_a_day_of_the_month_in_four_requests(next_month, adult, child):
    day = next_month + datetime.timedelta(days=4)
    nine = SlotFactory(date=day, starts_at=datetime.time(9), ends_at=datetime.time(10))
    requests = []
    client = Client()

    def send(method, url, data=None):
        requests.append((method, url))
        return getattr(client, method)(url, data)

    page = send("get", f"/tickets/?month={next_month:%Y-%m}")
    assert nine.pk in days_in(page)[day.isoformat()]["slots"]
    booking = {
        "date": day.isoformat(),
        "slot": nine.pk,
        f"qty_{adult.pk}": 2,
        f"qty_{child.pk}": 1,
        "name": "王小花",
        "phone": "138 0013 8000",
        "email": "",
    }
    summary = send("post", "/tickets/", booking)
    assert summary.status_code == 200 and "¥150.00" in summary.content.decode()
    confirm = send("post", "/tickets/", {**booking, "pay_with": "gate", "confirm": "1"})
    assert confirm.status_code == 302
    order_page = send("get", confirm.url)

    order = Order.objects.get()
    assert (order.slot, order.quantity, order.total) == (nine, 3, Decimal("150.00"))
    assert order.token in confirm.url and order_page.status_code == 200
    assert order_page.content.decode().count('class="ticket-card"') == 3
    assert len(requests) == 4


def test_every_bookable_day_of_the_month_comes_with_its_times_and_season_prices(
    next_month, adult, child
):
    peak, plain, full = (next_month + datetime.timedelta(days=n) for n in (2, 3, 5))
    SeasonPrice.objects.create(
        ticket_type=adult, name="花期", starts_on=peak, ends_on=peak, price=Decimal("80.00")
    )
    morning = SlotFactory(date=peak, starts_at=datetime.time(9), ends_at=datetime.time(10))
    noon = SlotFactory(date=peak, starts_at=datetime.time(12), ends_at=datetime.time(13))
    other = SlotFactory(date=plain, starts_at=datetime.time(9), ends_at=datetime.time(10))
    SlotFactory(date=full, capacity=0)

    days = days_in(Client().get(f"/tickets/?month={next_month:%Y-%m}"))

    # Only days with a time left; none shown and none sent until the tourist taps one.
    assert set(days) == {peak.isoformat(), plain.isoformat()}
    assert days[peak.isoformat()] == {
        "slots": {morning.pk: False, noon.pk: False},
        "prices": ["¥80.00", "¥30.00"],
        "shown": False,
    }
    assert days[plain.isoformat()]["prices"] == ["¥60.00", "¥30.00"]
    assert days[plain.isoformat()]["slots"] == {other.pk: False}

    # A day opened by its link (no script) shows that day's times, enabled, and hides the rest.
    days = days_in(Client().get(f"/tickets/?date={plain:%Y-%m-%d}"))
    assert days[plain.isoformat()] == {
        "slots": {other.pk: True},
        "prices": ["¥60.00", "¥30.00"],
        "shown": True,
    }
    assert not days[peak.isoformat()]["shown"]
    assert set(days[peak.isoformat()]["slots"].values()) == {False}


def calendar_cells(response) -> dict[int, tuple[str, str]]:
    """Each day of the month in the calendar: its class and what it says, by day number."""
    tree = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    table = next(t for t in tree.iter("table") if t.get("class") == "date-picker")
    cells = {}
    for cell in table.iter("td"):
        if cell.get("class") == "is-outside":
            continue
        texts = {span.get("class"): "".join(span.itertext()) for span in cell.iter("span")}
        cells[int(texts["date-picker__day"])] = (
            cell.get("class"),
            texts.get("date-picker__status", ""),
        )
    return cells


def test_the_calendar_says_each_days_state_with_grouped_counts(next_month, adult):
    from tourism.tickets.models import ClosedDay

    SlotFactory(date=next_month, capacity=1200)
    SlotFactory(date=next_month + datetime.timedelta(days=1), capacity=10, taken=9)
    SlotFactory(date=next_month + datetime.timedelta(days=2), capacity=5, taken=5)
    SlotFactory(date=next_month + datetime.timedelta(days=3), capacity=50)
    ClosedDay.objects.create(date=next_month + datetime.timedelta(days=3), reason="检修")
    SlotFactory(date=next_month + datetime.timedelta(days=4), capacity=1)

    page = Client().get(
        f"/tickets/?month={next_month:%Y-%m}&date={next_month:%Y-%m-%d}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    cells = calendar_cells(page)
    assert cells[1] == ("is-available is-selected", "余 1,200")
    assert cells[2] == ("is-few_left", "余票紧张")
    assert cells[3] == ("is-sold_out", "已售罄")
    assert cells[4] == ("is-closed", "闭园")
    assert cells[5] == ("is-available", "余 1")
    assert cells[6] == ("is-unavailable", "—")
    assert len(cells) == calendar.monthrange(next_month.year, next_month.month)[1]
    # Each bookable day links to itself, the chosen one marked for screen readers.
    tree = html5lib.parse(page.content.decode(), namespaceHTMLElements=False)
    links = {a.get("data-day"): a for a in tree.iter("a") if a.get("data-day")}
    assert set(links) == {(next_month + datetime.timedelta(days=n)).isoformat() for n in (0, 1, 4)}
    first = links[next_month.isoformat()]
    assert first.get("href") == f"?date={next_month:%Y-%m-%d}#tickets"
    assert first.get("aria-current") == "date"
    assert links[(next_month + datetime.timedelta(days=4)).isoformat()].get("aria-current") is None


def test_the_days_cost_no_query_per_day(next_month, adult):
    def queries_for_the_month() -> int:
        # New slots renew the page cache's version: the first requests fill the fragments.
        for _warm in range(2):
            Client().get(f"/tickets/?month={next_month:%Y-%m}")
        with CaptureQueriesContext(connection) as queries:
            Client().get(f"/tickets/?month={next_month:%Y-%m}")
        reads = [q["sql"] for q in queries]
        assert sum('FROM "tourism_slot"' in sql for sql in reads) == 1
        assert sum('FROM "tourism_seasonprice"' in sql for sql in reads) == 1
        return len(reads)

    SlotFactory(date=next_month)
    one_day = queries_for_the_month()
    for n in range(1, 20):
        SlotFactory(date=next_month + datetime.timedelta(days=n))
    assert queries_for_the_month() == one_day


def test_a_time_of_another_day_is_refused_and_nothing_is_held(next_month, adult):
    day, other_day = next_month, next_month + datetime.timedelta(days=1)
    SlotFactory(date=day)
    elsewhere = SlotFactory(date=other_day)
    response = Client().post(
        "/tickets/",
        {
            "date": day.isoformat(),
            "slot": elsewhere.pk,
            f"qty_{adult.pk}": 1,
            "name": "王小花",
            "phone": "138 0013 8000",
            "confirm": "1",
        },
    )
    assert response.status_code == 422
    assert 'id="slot-error"' in response.content.decode()
    assert Order.objects.count() == 0


def test_the_order_page_costs_the_same_queries_for_one_ticket_or_many(next_month, adult):
    slot = SlotFactory(date=next_month, capacity=20)

    def order_page_queries(tickets: int, phone: str) -> tuple[int, int]:
        booking = {
            "date": next_month.isoformat(),
            "slot": slot.pk,
            f"qty_{adult.pk}": tickets,
            "name": "王小花",
            "phone": phone,
            "pay_with": "gate",
            "confirm": "1",
        }
        client = Client()
        order_url = client.post("/tickets/", booking).url
        # The first views fill the page cache's parts (and save the park's settings).
        client.get(order_url)
        client.get(order_url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(order_url).content.decode()
        return len(queries), page.count('class="ticket-card"')

    one, shown = order_page_queries(1, "138 0013 8000")
    assert shown == 1
    many, shown = order_page_queries(4, "138 0013 8001")
    assert shown == 4
    assert many == one <= 4
