"""Closing a day or changing a slot that tourists have booked, through the admin.

Refused with the orders named and nothing saved; or, by explicit choice, the orders are
cancelled (pay at the gate) or refunded on Stripe (paid online), their places released
and each tourist emailed in the language they booked in.
"""

import datetime
import html
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tests.tickets.factories import order_for, user_in_role
from tourism.tickets import services
from tourism.tickets.models import ClosedDay, Order, Refund, Slot


@pytest.fixture
def editor(client, db):
    """An editor whose admin speaks English; each email speaks its order's language."""
    from wagtail.users.models import UserProfile

    user = user_in_role("Editors")
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def slot(slot_factory):
    return slot_factory(capacity=10)


@pytest.fixture
def gate_order(slot, ticket_types):
    """Two adults reserved to pay at the gate, booked in Chinese."""
    return order_for(slot, {ticket_types.adult: 2})


@pytest.fixture
def paid_order(slot, ticket_types, fake_stripe, stripe_sends):
    """An adult and a child paid on Stripe, booked in English on the public pages."""
    from django.test import Client

    tourist = Client()
    tourist.post(
        f"/en/tickets/?date={slot.date:%Y-%m-%d}",
        {
            "date": f"{slot.date:%Y-%m-%d}",
            "slot": slot.pk,
            f"qty_{ticket_types.adult.pk}": 1,
            f"qty_{ticket_types.child.pk}": 1,
            "name": "Lee Hua",
            "phone": "138 0000 0000",
            "email": "lee@example.com",
            "confirm": "1",
        },
    )
    order = Order.objects.get(contact_email="lee@example.com")
    session = fake_stripe.complete(order.payments.get().provider_reference)
    assert stripe_sends("checkout.session.completed", session).status_code == 200
    order.refresh_from_db()
    assert (order.status, order.language) == (Order.Status.PAID, "en")
    mail.outbox.clear()
    return order


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def taken(slot) -> int:
    return Slot.objects.get(pk=slot.pk).taken


def close_day(editor, date, **extra):
    return editor.post(
        reverse("tourism_closedday:add"),
        {"date": date.isoformat(), "reason": "台风", "reason_en": "Typhoon", **extra},
    )


# --- closing a day ----------------------------------------------------------------------------


def test_closing_a_booked_day_is_refused_naming_the_orders_and_saves_nothing(
    editor, slot, gate_order, paid_order, fake_stripe
):
    response = close_day(editor, slot.date)

    assert response.status_code == 200
    page = text_of(response)
    assert "has 2 booked orders" in page
    assert gate_order.reference in page and paid_order.reference in page
    assert "Cancel and refund these 2 orders and email the visitors" in page
    # The box's label stays short enough for the one line Wagtail gives it on a phone; the
    # sentence that names the orders is its help.
    box = response.context["form"]["cancel_orders"]
    with translation.override("en"):
        assert (str(box.label), str(box.help_text)) == (
            "Cancel and refund",
            "Cancel and refund these 2 orders and email the visitors",
        )
    assert not ClosedDay.objects.exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"reserved", "paid"}
    assert taken(slot) == 4
    assert not fake_stripe.calls_to("POST", "/v1/refunds")
    assert not mail.outbox


def test_closing_a_booked_day_by_choice_cancels_refunds_emails_and_frees_the_places(
    editor, slot, gate_order, paid_order, fake_stripe, committed
):
    refused = close_day(editor, slot.date)
    assert refused.status_code == 200
    # The form carries the orders it named, and only those are cancelled when confirmed.
    references = ",".join(sorted([gate_order.reference, paid_order.reference]))
    assert f'value="{references}"' in refused.content.decode()

    with committed():
        response = close_day(editor, slot.date, cancel_orders="on", confirmed_orders=references)

    assert response.status_code == 302
    assert ClosedDay.objects.get().date == slot.date
    gate_order.refresh_from_db()
    paid_order.refresh_from_db()
    assert gate_order.status == Order.Status.CANCELLED
    assert paid_order.status == Order.Status.REFUNDED
    assert taken(slot) == 0
    [refund_call] = fake_stripe.calls_to("POST", "/v1/refunds")
    assert refund_call.params["amount"] == "9000"  # ¥60 + ¥30, in fen
    assert Refund.objects.get().reason == "park_closed"
    assert gate_order.log.filter(action="park_closed").exists()

    emails = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    chinese, english = emails["visitor@example.com"], emails["lee@example.com"]
    assert chinese.subject == f"您的订单 {gate_order.reference} 已取消"
    assert f"花谷于 {slot.date.isoformat()} 闭园" in chinese.body
    assert "台风" in chinese.body
    assert english.subject == f"Your booking {paid_order.reference} is refunded"
    assert f"The park is closed on {slot.date.isoformat()}" in english.body
    assert "Typhoon" in english.body


def test_an_order_booked_after_the_list_was_shown_is_never_cancelled_unseen(
    editor, slot, gate_order, ticket_types
):
    close_day(editor, slot.date)
    newcomer = order_for(slot, {ticket_types.child: 1}, name="赵六")

    response = close_day(
        editor, slot.date, cancel_orders="on", confirmed_orders=gate_order.reference
    )

    assert response.status_code == 200
    assert f"More orders were booked meanwhile: {newcomer.reference}" in text_of(response)
    assert not ClosedDay.objects.exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"reserved"}
    assert taken(slot) == 3


def test_a_refund_stripe_cannot_make_leaves_the_day_open_and_every_order_as_it_was(
    editor, slot, gate_order, paid_order, fake_stripe, committed
):
    references = f"{gate_order.reference},{paid_order.reference}"
    with fake_stripe.unreachable(), committed():
        response = close_day(editor, slot.date, cancel_orders="on", confirmed_orders=references)

    assert response.status_code == 200
    assert (
        f"The refund of order {paid_order.reference} could not be made just now, so nothing was changed"
        in text_of(response)
    )
    assert not ClosedDay.objects.exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"reserved", "paid"}
    assert taken(slot) == 4
    assert not Refund.objects.exists()
    assert not mail.outbox

    # Tried again once Stripe answers: done, and the money goes back once.
    with committed():
        again = close_day(editor, slot.date, cancel_orders="on", confirmed_orders=references)
    assert again.status_code == 302
    assert taken(slot) == 0
    assert len(fake_stripe.refunds) == 1


def test_closing_an_unbooked_day_needs_no_choice(editor, slot):
    assert close_day(editor, slot.date).status_code == 302
    assert ClosedDay.objects.get().reason_en == "Typhoon"


def test_moving_a_closed_day_onto_booked_orders_is_refused_too(editor, slot, gate_order):
    closed = ClosedDay.objects.create(date=slot.date + datetime.timedelta(days=1))
    response = editor.post(
        reverse("tourism_closedday:edit", args=[closed.pk]),
        {"date": slot.date.isoformat(), "reason": "", "reason_en": ""},
    )
    assert response.status_code == 200
    assert gate_order.reference in text_of(response)
    closed.refresh_from_db()
    assert closed.date == slot.date + datetime.timedelta(days=1)


def test_a_booking_that_waited_while_the_day_was_closed_is_refused(slot, ticket_types):
    """The closed-day check before the booking's transaction passed; the one inside it refuses."""
    ClosedDay.objects.create(date=slot.date)
    stale = Slot.objects.get(pk=slot.pk)
    with (
        translation.override("en"),
        mock.patch.object(services, "_bookable_slot", return_value=stale),
        pytest.raises(services.BookingError, match="closed on that day"),
    ):
        order_for(slot, {ticket_types.adult: 1})
    assert taken(slot) == 0
    assert not Order.objects.exists()


# --- changing a slot ----------------------------------------------------------------------------


def slot_form(slot, **changes):
    data = {
        "date": slot.date.isoformat(),
        "starts_at": slot.starts_at.strftime("%H:%M") if slot.starts_at else "",
        "ends_at": slot.ends_at.strftime("%H:%M") if slot.ends_at else "",
        "capacity": slot.capacity,
    }
    return {**data, **changes}


def test_capacity_below_the_places_taken_is_a_form_error_and_saves_nothing(
    editor, slot, gate_order, ticket_types
):
    order_for(slot, {ticket_types.child: 1})
    url = reverse("tourism_slot:edit", args=[slot.pk])

    response = editor.post(url, slot_form(slot, capacity=2))

    assert response.status_code == 200
    assert "3 places are already taken; the capacity cannot be less." in text_of(response)
    stored = Slot.objects.get(pk=slot.pk)
    assert (stored.capacity, stored.taken) == (10, 3)

    assert editor.post(url, slot_form(slot, capacity=3)).status_code == 302
    assert Slot.objects.get(pk=slot.pk).capacity == 3


def test_moving_a_booked_slot_is_refused_naming_its_orders(editor, slot, gate_order):
    url = reverse("tourism_slot:edit", args=[slot.pk])
    later = slot.date + datetime.timedelta(days=1)

    response = editor.post(url, slot_form(slot, date=later.isoformat()))

    assert response.status_code == 200
    page = text_of(response)
    assert f"has 1 booked order: {gate_order.reference}" in page
    assert "Cancel and refund this order and email the visitor" in page
    assert Slot.objects.get(pk=slot.pk).date == slot.date
    gate_order.refresh_from_db()
    assert gate_order.status == Order.Status.RESERVED


def test_moving_a_booked_slot_by_choice_cancels_and_refunds_its_orders_first(
    editor, slot, gate_order, paid_order, fake_stripe, committed
):
    url = reverse("tourism_slot:edit", args=[slot.pk])
    references = f"{gate_order.reference},{paid_order.reference}"

    with committed():
        response = editor.post(
            url,
            slot_form(
                slot,
                starts_at="14:00",
                ends_at="15:00",
                cancel_orders="on",
                confirmed_orders=references,
            ),
        )

    assert response.status_code == 302
    stored = Slot.objects.get(pk=slot.pk)
    assert (stored.starts_at, stored.taken) == (datetime.time(14), 0)
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled", "refunded"}
    assert len(fake_stripe.refunds) == 1
    emails = {message.to[0]: message for message in mail.outbox}
    # Each tourist hears of the time they booked, in their language.
    assert "09:00–10:00" in emails["visitor@example.com"].body
    assert "入园时间" in emails["visitor@example.com"].body
    assert "changed the entry time you booked" in emails["lee@example.com"].body
    assert "09:00–10:00" in emails["lee@example.com"].body


def test_a_slot_cannot_be_moved_onto_a_closed_day(editor, slot):
    closed = ClosedDay.objects.create(date=slot.date + datetime.timedelta(days=2))
    response = editor.post(
        reverse("tourism_slot:edit", args=[slot.pk]), slot_form(slot, date=closed.date)
    )
    assert response.status_code == 200
    assert "The park is closed on that day." in text_of(response)
    assert Slot.objects.get(pk=slot.pk).date == slot.date


def test_a_booking_for_a_slot_moved_meanwhile_is_refused(slot, ticket_types):
    stale = Slot.objects.get(pk=slot.pk)
    Slot.objects.filter(pk=slot.pk).update(starts_at=datetime.time(15), ends_at=datetime.time(16))
    with (
        translation.override("en"),
        mock.patch.object(services, "_bookable_slot", return_value=stale),
        pytest.raises(services.BookingError, match="just been changed"),
    ):
        order_for(slot, {ticket_types.adult: 1})
    assert taken(slot) == 0


def test_an_unbooked_slot_moves_freely(editor, slot):
    later = slot.date + datetime.timedelta(days=3)
    response = editor.post(
        reverse("tourism_slot:edit", args=[slot.pk]), slot_form(slot, date=later.isoformat())
    )
    assert response.status_code == 302
    assert Slot.objects.get(pk=slot.pk).date == later


def test_the_service_refuses_capacity_below_the_places_taken_however_it_is_called(slot, gate_order):
    from tourism.tickets import closures

    with (
        translation.override("en"),
        pytest.raises(closures.ClosureRefused, match="2 places are already taken"),
    ):
        closures.slot_update(
            slot=slot, date=slot.date, starts_at=slot.starts_at, ends_at=slot.ends_at, capacity=1
        )
    assert Slot.objects.get(pk=slot.pk).capacity == 10
