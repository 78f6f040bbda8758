"""Hostile input to the public site and the tourist's ticket pages: never a 500, nothing saved.

Every public query string, path segment and booking form field is fed the table of
``hostile_inputs``; each test asserts that no answer is 5xx and that the database is as
it was. The tests below the tables pin the answer each class of input gets.
"""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, assume, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.hostile.hostile_inputs import (
    CONTROL_CHARACTERS,
    HOSTILE_TEXT,
    database_state,
    encoded,
    has_control_characters,
    hostile_in_address,
    server_errors,
    tickets_on_sale,
    visitor,
)
from tourism.tickets.models import Order, Slot

BOOKING = "/en/tickets/"
BAD_ADDRESS = "characters that web addresses cannot contain"
DAY_NOT_BOOKABLE = "That day cannot be booked"
TIME_NOT_OFFERED = "That entry time is not offered on this day"

bounded = hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    """No Stripe keys: a booking that got through would be reserved at once, and counted."""
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def park(db):
    return tickets_on_sale()


def booking_data(park, **changes) -> dict:
    data = {
        "date": park.slot.date.isoformat(),
        "slot": str(park.slot.pk),
        f"qty_{park.adult.pk}": "2",
        f"qty_{park.child.pk}": "1",
        "name": "王小花",
        "phone": "13800000000",
        "email": "visitor@example.com",
    }
    data.update(changes)
    return data


# --- search -----------------------------------------------------------------------------


def test_search_answers_every_hostile_query_without_a_server_error(site_tree):
    client = visitor()
    before = database_state()

    responses = [
        (url, client.get(url))
        for value in hostile_in_address()
        for url in (
            f"/search/?q={value}",
            f"/en/search/?q={value}",
            f"/search/?q=%E8%8A%B1&page={value}",
            f"/en/search/?{value}={value}",
        )
    ]

    assert server_errors(responses) == []
    assert database_state() == before


@pytest.mark.parametrize("query", ['"Rose garden"', 'Rose"garden', '"Rose'])
def test_search_with_quotes_still_finds_the_page(site_tree, query):
    response = visitor().get("/en/search/", {"q": query})

    assert response.status_code == 200
    assert site_tree.en.attraction in response.context["results"].object_list


@bounded
@given(query=st.text(max_size=300))
@example(query='"')
@example(query="'&|!:*()<->")
def test_search_answers_any_text(site_tree, query):
    response = visitor().get("/en/search/", {"q": query})

    assert response.status_code == (400 if has_control_characters(query) else 200)


# --- control characters in an address ---------------------------------------------------


@pytest.mark.parametrize("value", CONTROL_CHARACTERS)
@pytest.mark.parametrize("path", ["/en/search/?q=", "/en/tickets/?date=", "/en/tickets/?month="])
def test_control_characters_in_a_query_string_answer_400_saying_why(db, path, value):
    response = visitor().get(path + encoded(value))

    assert response.status_code == 400
    assert BAD_ADDRESS in response.content.decode()


def test_control_characters_in_a_path_segment_name_nothing(site_tree):
    client = visitor()
    paths = [
        "/tickets/order/{}/",
        "/en/tickets/order/{}/visit.ics",
        "/en/{}/",
        "/attractions/{}/",
        "/trees/{}/",
    ]

    statuses = {
        (path, value): client.get(path.format(encoded(value))).status_code
        for path in paths
        for value in ["\x00", "a\x00b", "\x1b", "\x7f", "\x85"]
    }

    assert {key: status for key, status in statuses.items() if status != 404} == {}


def test_control_characters_in_a_path_cannot_cancel_an_order(park):
    before = database_state()

    response = visitor().post(f"/en/tickets/order/{encoded(park.order.token + chr(0))}/cancel/")

    assert response.status_code == 404
    assert database_state() == before


# --- pages, sitemap ---------------------------------------------------------------------


def test_pages_and_the_sitemap_answer_every_hostile_address_without_a_server_error(site_tree):
    client = visitor()
    before = database_state()

    responses = [
        (url, client.get(url))
        for value in hostile_in_address()
        for url in (
            f"/{value}/",
            f"/en/{value}/",
            f"/attractions/{value}/",
            f"/en/news/{value}/",
            f"/attractions/?page={value}",
            f"/en/news/?page={value}",
            f"/bloom-calendar/?month={value}",
            f"/en/visit/?{value}={value}",
            f"/?{value}",
            f"/sitemap.xml?p={value}",
            f"/documents/{value}/file.pdf",
        )
    ]
    language_switches = [
        (f"setlang {data}", client.post("/i18n/setlang/", data))
        for value in HOSTILE_TEXT
        for data in ({"language": value, "next": "/"}, {"language": "en", "next": value})
    ]
    huge_ids = [
        (url, client.get(url))
        for url in (f"/documents/{'9' * 40}/file.pdf", f"/documents/{2**63}/file.pdf")
    ]

    assert server_errors(responses + language_switches + huge_ids) == []
    assert database_state() == before


# --- the booking page: dates and months -------------------------------------------------


def test_booking_page_answers_every_hostile_date_and_month_without_a_server_error(park):
    client = visitor()
    before = database_state()
    date = park.slot.date.isoformat()

    responses = [
        (url, client.get(url))
        for value in hostile_in_address()
        for url in (
            f"/tickets/?date={value}",
            f"{BOOKING}?month={value}",
            f"{BOOKING}?date={date}&month={value}",
            f"{BOOKING}?date={value}&date={date}",
            f"{BOOKING}?date[]={value}",
        )
    ]

    assert server_errors(responses) == []
    assert database_state() == before


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01", "票"])
def test_a_date_that_cannot_be_booked_is_refused_with_a_message(park, value):
    response = visitor().get(BOOKING, {"date": value})

    assert response.status_code == 200
    assert DAY_NOT_BOOKABLE in response.content.decode()
    assert response.context["selected"] is None


def test_the_last_day_of_the_horizon_is_still_offered(park, settings):
    last = timezone.localdate() + datetime.timedelta(days=settings.TICKETS_BOOKING_HORIZON_DAYS)

    response = visitor().get(BOOKING, {"date": last.isoformat()})

    assert response.status_code == 200
    assert response.context["selected"] == last
    assert DAY_NOT_BOOKABLE not in response.content.decode()


@pytest.mark.parametrize("value", ["9999-12", "0001-01", "2026-13", "10000-01"])
def test_a_month_out_of_range_shows_this_month(park, value):
    response = visitor().get(BOOKING, {"month": value})

    assert response.status_code == 200
    assert response.context["month_start"] == timezone.localdate().replace(day=1)


def test_the_calendar_offers_no_month_after_the_booking_horizon(park, settings):
    last = timezone.localdate() + datetime.timedelta(days=settings.TICKETS_BOOKING_HORIZON_DAYS)

    response = visitor().get(BOOKING, {"month": f"{last:%Y-%m}"})

    assert response.context["month_start"] == last.replace(day=1)
    assert response.context["next_month"] is None
    assert 'rel="next"' not in response.content.decode()


@bounded
@given(date=st.text(max_size=40), month=st.text(max_size=20))
def test_booking_page_answers_any_date_and_month(park, date, month):
    before = database_state()

    response = visitor().get(BOOKING, {"date": date, "month": month})

    hostile = has_control_characters(date) or has_control_characters(month)
    assert response.status_code == (400 if hostile else 200)
    assert database_state() == before


@bounded
@given(
    date=st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
    confirm=st.booleans(),
)
def test_booking_for_any_day_beyond_the_horizon_saves_nothing(park, date, confirm):
    last = timezone.localdate() + datetime.timedelta(
        days=django_settings.TICKETS_BOOKING_HORIZON_DAYS
    )
    assume(not timezone.localdate() <= date <= last)
    before = database_state()
    data = booking_data(park, date=date.isoformat())
    if confirm:
        data["confirm"] = "1"

    response = visitor().post(BOOKING, data)

    assert response.status_code == 422
    assert DAY_NOT_BOOKABLE in response.content.decode()
    assert database_state() == before


# --- the booking form -------------------------------------------------------------------


def test_booking_form_answers_every_hostile_field_without_a_server_error_and_saves_nothing(park):
    client = visitor()
    before = database_state()
    fields = list(booking_data(park))
    # At the confirming step, values no field may take: they must save nothing.
    not_a_number = ["x" * 5000, "NaN", "-1", "1.5", "9" * 40, "1e400", "Infinity", "票", "1\x00"]
    not_a_name = [f"王{c}小花" for c in CONTROL_CHARACTERS] + ["x" * 5000, ""]
    refused = {
        "date": HOSTILE_TEXT,
        "slot": HOSTILE_TEXT,
        f"qty_{park.adult.pk}": not_a_number,
        f"qty_{park.child.pk}": not_a_number,
        "name": not_a_name,
        "phone": not_a_name,
        # Email is optional: empty books (without a confirmation email).
        "email": [value for value in not_a_name if value],
    }

    summary_step = [
        (f"{field}={value!r}", client.post(BOOKING, booking_data(park, **{field: value})))
        for field in fields
        for value in HOSTILE_TEXT
    ]
    confirm_step = [
        (
            f"confirm {field}={value!r}",
            client.post(BOOKING, {**booking_data(park, **{field: value}), "confirm": "1"}),
        )
        for field in fields
        for value in refused[field]
    ]
    wrong_types = [
        ("two slots", client.post(BOOKING, {**booking_data(park), "slot": ["1", "2"]})),
        ("slot[]", client.post(BOOKING, {**booking_data(park), "slot[]": str(park.slot.pk)})),
        ("no fields", client.post(BOOKING, {})),
        ("json body", client.post(BOOKING, "[1, 2]", content_type="application/json")),
    ]

    assert server_errors(summary_step + confirm_step + wrong_types) == []
    assert database_state() == before
    # The same form with sensible values does book: the refusals above were the values'.
    response = client.post(BOOKING, {**booking_data(park), "confirm": "1"})
    assert response.status_code == 302
    assert Order.objects.count() == before["orders"] + 1


@pytest.mark.parametrize("quantity", ["NaN", "-1", "1.5", "9" * 40, "1e400", "Infinity", "票"])
def test_a_malformed_quantity_is_a_form_error_and_saves_nothing(park, quantity):
    before = database_state()

    response = visitor().post(
        BOOKING, {**booking_data(park, **{f"qty_{park.adult.pk}": quantity}), "confirm": "1"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors[f"qty_{park.adult.pk}"]
    assert database_state() == before


def test_an_entry_time_of_another_day_is_refused_and_saves_nothing(park):
    before = database_state()
    data = booking_data(park, slot=str(park.next_day.pk))

    summary = visitor().post(BOOKING, data)
    confirm = visitor().post(BOOKING, {**data, "confirm": "1"})

    for response in (summary, confirm):
        assert response.status_code == 422
        assert TIME_NOT_OFFERED in response.content.decode()
    assert database_state() == before
    assert Slot.objects.get(pk=park.next_day.pk).taken == 0


@pytest.mark.parametrize("slot", ["999999", str(2**70), "-5", "0", "NaN"])
def test_an_entry_time_that_does_not_exist_is_refused_and_saves_nothing(park, slot):
    before = database_state()
    data = booking_data(park, slot=slot)

    summary = visitor().post(BOOKING, data)
    confirm = visitor().post(BOOKING, {**data, "confirm": "1"})

    for response in (summary, confirm):
        assert response.status_code == 422
        assert response.context["form"].errors["slot"]
    assert database_state() == before


def test_a_full_entry_time_is_refused_at_the_summary_step(park):
    Slot.objects.filter(pk=park.slot.pk).update(taken=park.slot.capacity)
    before = database_state()

    response = visitor().post(BOOKING, booking_data(park))

    assert response.status_code == 422
    assert database_state() == before


@pytest.mark.parametrize("field", ["name", "phone"])
@pytest.mark.parametrize("value", ["王\x01小花", "13800000000\x1b", "王\t小花", "王\x85小花"])
def test_control_characters_in_the_contact_details_are_a_form_error(park, field, value):
    before = database_state()

    response = visitor().post(BOOKING, {**booking_data(park, **{field: value}), "confirm": "1"})

    assert response.status_code == 422
    assert "control characters" in str(response.context["form"].errors[field])
    assert database_state() == before


# --- the order page, its calendar file and cancellation ---------------------------------


def test_order_pages_answer_every_hostile_token_without_a_server_error(park):
    client = visitor()
    before = database_state()

    responses = [
        (f"{method} {url}", getattr(client, method)(url))
        for value in hostile_in_address()
        for method, url in (
            ("get", f"/tickets/order/{value}/"),
            ("get", f"/en/tickets/order/{value}/visit.ics"),
            ("post", f"/en/tickets/order/{value}/cancel/"),
            ("get", f"/en/tickets/order/{park.order.token}/?paid={value}"),
            ("get", f"/tickets/order/{park.order.token}/visit.ics?{value}={value}"),
        )
    ]

    assert server_errors(responses) == []
    assert database_state() == before
    assert Order.objects.get(pk=park.order.pk).status == Order.Status.RESERVED


@pytest.mark.parametrize("query", ["", "?a=b", "?x=%E2%80%AE;DESCRIPTION:spoof", "?%FF"])
def test_the_calendar_file_links_the_order_page_whatever_the_query_string(park, query):
    token = park.order.token

    response = visitor().get(f"/en/tickets/order/{token}/visit.ics{query}")

    assert response.status_code == 200
    lines = response.content.decode().split("\r\n")
    assert f"URL:http://testserver/en/tickets/order/{token}/" in lines
    assert "spoof" not in response.content.decode()
