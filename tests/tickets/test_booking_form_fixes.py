"""The booking form as a tourist on a phone finds it: 姓名, phone numbers, optional email,
the English cancellation line, and entry slots that follow the opening hours."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from tests.tickets.factories import SlotFactory, TicketTypeFactory, order_for
from tourism.models import OpeningHours, SiteSettings
from tourism.tickets.models import Order, Slot
from tourism.tickets.opening import slots_open_in_opening_hours
from tourism.tickets.rules import BookingRules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def slot(db):
    return SlotFactory(capacity=20)


def form_data(slot, adult, **changes) -> dict:
    data = {
        "date": slot.date.isoformat(),
        "slot": slot.pk,
        f"qty_{adult.pk}": 2,
        "phone": "138 0013 8000",
        "name": "王小花",
        "email": "",
    }
    return {**data, **changes}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_contact_name_is_labelled_as_a_persons_name_in_chinese(slot, adult):
    client = Client()
    booking = client.get("/tickets/", {"date": slot.date.isoformat()})
    summary = client.post(f"/tickets/?date={slot.date.isoformat()}", form_data(slot, adult))
    order = order_for(slot, {adult: 1})
    page = client.get(f"/tickets/order/{order.token}/")

    assert '<label for="id_name">姓名</label>' in booking.content.decode()
    for response in (booking, summary, page):
        assert "名称" not in text_of(response)
    assert "<dt>姓名</dt>" in summary.content.decode()
    assert "<dt>姓名</dt>" in page.content.decode()
    assert str(Order._meta.get_field("contact_name").verbose_name) == "姓名"


def test_the_phone_comes_first_in_the_contact_fields(slot, adult):
    html = Client().get("/tickets/", {"date": slot.date.isoformat()}).content.decode()

    assert html.index('id="id_phone"') < html.index('id="id_name"') < html.index('id="id_email"')


def test_a_phone_that_is_not_a_mobile_number_is_refused_on_the_form(slot, adult):
    response = Client().post(
        "/en/tickets/?date=" + slot.date.isoformat(), form_data(slot, adult, phone="12345")
    )

    assert response.status_code == 422
    assert "Please give a mainland mobile number (11 digits, starting with 1)" in text_of(response)
    assert Slot.objects.get(pk=slot.pk).taken == 0


def test_a_booking_without_email_is_confirmed_and_says_where_the_tickets_are(
    slot, adult, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    summary = client.post(f"/en/tickets/?date={slot.date.isoformat()}", form_data(slot, adult))
    assert summary.status_code == 200
    assert "No confirmation email will be sent" in text_of(summary)

    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            f"/en/tickets/?date={slot.date.isoformat()}", {**form_data(slot, adult), "confirm": 1}
        )

    order = Order.objects.get()
    assert booked.status_code == 302
    assert order.contact_email == ""
    assert order.contact_phone == "13800138000"  # stored normalised
    assert mailoutbox == []
    page = client.get(booked["Location"])
    assert "No email was given, so none will be sent" in text_of(page)


def test_with_an_email_the_form_and_the_order_page_say_the_tickets_go_there(slot, adult):
    client = Client()
    data = form_data(slot, adult, email="visitor@example.com")
    summary = client.post(f"/en/tickets/?date={slot.date.isoformat()}", data)
    booked = client.post(f"/en/tickets/?date={slot.date.isoformat()}", {**data, "confirm": 1})

    assert "We will send your tickets to visitor@example.com." in text_of(summary)
    assert "We send your tickets and any change to this booking to visitor@example.com" in (
        text_of(client.get(booked["Location"]))
    )


def test_the_english_cancellation_line_has_one_full_stop_after_the_time(settings, adult, client):
    settings.TICKETS_CANCEL_CUTOFF_HOURS = 0
    slot = SlotFactory(starts_at=datetime.time(10), ends_at=datetime.time(11))
    order = order_for(slot, {adult: 1})

    text = text_of(client.get(f"/en/tickets/order/{order.token}/"))

    assert ", 10 a.m., any payment is refunded in full." in text
    assert ".." not in text


def test_the_booking_summary_says_why_the_phone_limit_refuses_before_anything_is_held(slot, adult):
    BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"max_tickets_per_phone": 3}
    )
    order_for(slot, {adult: 2}, phone="13800000000")

    response = Client().post(
        f"/en/tickets/?date={slot.date.isoformat()}", form_data(slot, adult, phone="13800000000")
    )

    assert response.status_code == 422
    assert "One phone number may book at most 3 tickets for one day." in text_of(response)


@pytest.fixture
def opening_hours(db):
    """Open 08:30–18:00 every day but Monday."""
    park = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    park.save()
    for weekday in range(7):
        OpeningHours.objects.create(
            settings=park,
            weekday=weekday,
            opens=None if weekday == 0 else datetime.time(8, 30),
            closes=None if weekday == 0 else datetime.time(18),
            closed=weekday == 0,
        )


def test_slots_follow_the_opening_hours_first_entry_at_opening_time(opening_hours):
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    week = [monday + datetime.timedelta(days=n) for n in range(7)]

    result = slots_open_in_opening_hours(
        date_from=week[0], date_to=week[-1], every_minutes=60, capacity=100
    )

    assert result == {"created": 6 * 9, "existing": 0, "closed": 1}
    assert not Slot.objects.filter(date=monday).exists()
    tuesday = list(Slot.objects.filter(date=week[1]).values_list("starts_at", "ends_at"))
    assert tuesday[0] == (datetime.time(8, 30), datetime.time(9, 30))
    assert tuesday[-1] == (datetime.time(16, 30), datetime.time(17, 30))
    assert all(ends <= datetime.time(18) for _, ends in tuesday)


def test_the_open_capacity_form_offers_the_opening_time_as_first_entry(opening_hours):
    from tourism.tickets.admin_views import OpenCapacityForm

    form = OpenCapacityForm()

    assert form.fields["first_entry"].initial == datetime.time(8, 30)
    assert form.fields["last_entry"].initial == datetime.time(17, 30)
