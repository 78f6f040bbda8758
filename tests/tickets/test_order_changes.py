"""Order changes at the desk, through the services: money back once and never more than paid,
places moved without overselling, quantities, the confirmation resent, gate orders marked paid."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone, translation

from tests.tickets.factories import (
    TicketTypeFactory,
    UserFactory,
    order_for,
    paid_by_stripe,
    phone_limit,
    whole_day_slot,
)
from tourism.tickets import order_changes, services
from tourism.tickets.models import ClosedDay, Order, OrderLog, Refund, Slot
from tourism.tickets.services import BookingError, NotAllowed, SoldOut


@pytest.fixture(autouse=True)
def in_english():
    """Messages read in English, whatever the Chinese catalog says."""
    with translation.override("en"):
        yield


@pytest.fixture
def fares(db):
    return SimpleNamespace(
        adult=TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00")),
        child=TicketTypeFactory(name="儿童票", name_en="Child", price=Decimal("30.00")),
    )


@pytest.fixture
def days(db):
    day = timezone.localdate() + datetime.timedelta(days=5)
    return SimpleNamespace(
        first=whole_day_slot(day, capacity=20),
        second=whole_day_slot(day + datetime.timedelta(days=1), capacity=20),
    )


@pytest.fixture
def clerk(db):
    return UserFactory(username="desk")


def taken(slot) -> int:
    return Slot.objects.get(pk=slot.pk).taken


def refunded_on_stripe(fake_stripe) -> int:
    """Fen Stripe gave back, by its own records."""
    return sum(r["amount"] for r in fake_stripe.refunds.values())


# --- refunds through Stripe -------------------------------------------------------------


def test_refunding_one_ticket_of_a_stripe_order_gives_its_price_back_and_voids_it(
    fares, days, clerk, fake_stripe, committed
):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2, fares.child: 1})
    child = order.tickets.get(ticket_type=fares.child)

    with committed():
        order = order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[child.pk])

    [call] = fake_stripe.calls_to("POST", "/v1/refunds")
    assert call.params["amount"] == "3000"
    assert refunded_on_stripe(fake_stripe) == 3000
    refund = Refund.objects.get()
    assert (refund.amount, refund.made_by) == (Decimal("30.00"), clerk)
    assert order.status == Order.Status.PAID
    assert (order.quantity, order.total) == (2, Decimal("120.00"))
    assert taken(days.first) == 2
    assert not order.lines.filter(ticket_type=fares.child).exists()
    # The refunded ticket no longer admits; the others still do.
    assert services.ticket_check_in(payload=child.code, user=clerk).result == "not_valid"
    entry = OrderLog.objects.get(order=order, action="tickets_refunded")
    assert entry.user == clerk and entry.data["tickets"] == [child.code]
    assert entry.data["amount"] == "30.00" and entry.data["cash"] is False
    assert mail.outbox[-1].to == ["lihua@example.com"]


def test_a_part_refund_then_a_full_cancel_give_back_exactly_what_was_paid(
    fares, days, clerk, fake_stripe
):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2, fares.child: 1})
    paid = sum(line.unit_price * line.quantity for line in order.lines.all())

    order_changes.order_refund_amount(order=order, user=clerk, amount=Decimal("25.50"))
    order_changes.order_refund_all(order=order, user=clerk)

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert taken(days.first) == 0
    assert sum(r.amount for r in Refund.objects.all()) == paid == Decimal("150.00")
    assert refunded_on_stripe(fake_stripe) == 15000
    assert [c.params["amount"] for c in fake_stripe.calls_to("POST", "/v1/refunds")] == [
        "2550",
        "12450",
    ]
    # Nothing is left to give: a third attempt of any kind is refused and refunds nothing.
    with pytest.raises(NotAllowed):
        order_changes.order_refund_amount(order=order, user=clerk, amount=Decimal("1"))
    with pytest.raises(NotAllowed):
        services.order_cancel(order=order, user=clerk)
    assert refunded_on_stripe(fake_stripe) == 15000


def test_a_tourist_cancelling_after_a_part_refund_gets_only_the_rest(
    fares, days, clerk, fake_stripe
):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2})
    order_changes.order_refund_amount(order=order, user=clerk, amount=Decimal("20"))

    services.order_cancel(order=order)

    assert refunded_on_stripe(fake_stripe) == 12000
    assert sum(r.amount for r in Refund.objects.all()) == Decimal("120.00")


def test_an_amount_above_what_is_left_is_refused_and_saves_nothing(fares, days, clerk, fake_stripe):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 1})
    order_changes.order_refund_amount(order=order, user=clerk, amount=Decimal("50"))

    with pytest.raises(BookingError, match=r"At most ¥10\.00"):
        order_changes.order_refund_amount(order=order, user=clerk, amount=Decimal("10.01"))

    assert Refund.objects.count() == 1
    assert refunded_on_stripe(fake_stripe) == 5000
    assert OrderLog.objects.filter(action="amount_refunded").count() == 1


def test_refunding_a_ticket_after_an_amount_never_gives_back_more_than_was_paid(
    fares, days, clerk, fake_stripe
):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2})
    order_changes.order_refund_amount(order=order, user=clerk, amount=Decimal("100"))
    first, _ = order.tickets.order_by("pk")

    order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[first.pk])

    # The ticket's ¥60 is more than the ¥20 left: only ¥20 goes back.
    assert refunded_on_stripe(fake_stripe) == 12000
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.quantity == 1


def test_stripe_down_during_a_desk_refund_changes_nothing(fares, days, clerk, fake_stripe):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2})
    ticket = order.tickets.first()

    with fake_stripe.outage("/v1/refunds"), pytest.raises(NotAllowed, match="nothing was changed"):
        order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[ticket.pk])

    ticket.refresh_from_db()
    order.refresh_from_db()
    assert ticket.refunded_at is None
    assert (order.quantity, order.total, taken(days.first)) == (2, Decimal("120.00"), 2)
    assert not Refund.objects.exists()
    assert not order.log.filter(action="tickets_refunded").exists()


def test_refunding_the_last_valid_tickets_refunds_the_order_and_releases_its_places(
    fares, days, clerk, fake_stripe
):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2})
    ids = list(order.tickets.values_list("pk", flat=True))

    order = order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=ids)

    assert order.status == Order.Status.REFUNDED
    assert taken(days.first) == 0
    assert refunded_on_stripe(fake_stripe) == 12000


def test_a_used_or_foreign_or_refunded_ticket_cannot_be_refunded(fares, days, clerk):
    today = whole_day_slot(timezone.localdate())
    order = order_for(today, {fares.adult: 3})
    other = order_for(today, {fares.adult: 1})
    used, kept, refunded = order.tickets.order_by("pk")
    services.ticket_check_in(payload=used.code, user=clerk)
    order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[refunded.pk])

    with pytest.raises(NotAllowed, match="already been used"):
        order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[used.pk])
    with pytest.raises(NotAllowed, match="already been refunded"):
        order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[refunded.pk])
    with pytest.raises(BookingError, match="not part of this order"):
        order_changes.order_refund_tickets(
            order=order, user=clerk, ticket_ids=[other.tickets.get().pk]
        )
    with pytest.raises(NotAllowed, match="already been admitted"):
        order_changes.order_refund_all(order=order, user=clerk)
    kept.refresh_from_db()
    assert kept.refunded_at is None


def test_a_gate_order_refund_records_the_cash_handed_back(fares, days, clerk):
    order = order_for(days.first, {fares.adult: 1, fares.child: 1})
    order_changes.order_mark_paid_at_gate(order=order, user=clerk)

    order_changes.order_refund_tickets(
        order=order, user=clerk, ticket_ids=[order.tickets.get(ticket_type=fares.child).pk]
    )

    refund = Refund.objects.get()
    assert (refund.amount, refund.made_by, refund.payment.provider) == (
        Decimal("30.00"),
        clerk,
        "gate",
    )
    assert order.log.get(action="tickets_refunded").data["cash"] is True


def test_refunding_a_ticket_of_an_unpaid_gate_order_lowers_what_is_owed(fares, days, clerk):
    order = order_for(days.first, {fares.adult: 1, fares.child: 1})

    order = order_changes.order_refund_tickets(
        order=order, user=clerk, ticket_ids=[order.tickets.get(ticket_type=fares.child).pk]
    )

    assert order.status == Order.Status.RESERVED
    assert (order.total, order.quantity, taken(days.first)) == (Decimal("60.00"), 1, 1)
    assert not Refund.objects.exists()


# --- moving -----------------------------------------------------------------------------


def test_moving_takes_places_in_the_new_slot_and_releases_the_old(fares, days, clerk, committed):
    order = order_for(days.first, {fares.adult: 2, fares.child: 1})
    mail.outbox.clear()

    with committed():
        order = order_changes.order_move(order=order, user=clerk, slot_id=days.second.pk)

    assert order.slot_id == days.second.pk
    assert (taken(days.first), taken(days.second)) == (0, 3)
    entry = order.log.get(action="moved")
    assert entry.user == clerk
    assert entry.data["old"]["date"] == f"{days.first.date:%Y-%m-%d}"
    assert entry.data["new"]["date"] == f"{days.second.date:%Y-%m-%d}"
    # The visitor is told the new date.
    assert f"{days.second.date:%Y-%m-%d}" in mail.outbox[-1].subject


def test_moving_into_a_slot_with_fewer_places_left_is_refused_and_changes_nothing(
    fares, days, clerk
):
    phone_limit(20)  # one order of 18 fills the slot
    order = order_for(days.first, {fares.adult: 3})
    order_for(days.second, {fares.adult: 18})

    with pytest.raises(SoldOut, match="Only 2 places are left"):
        order_changes.order_move(order=order, user=clerk, slot_id=days.second.pk)

    order.refresh_from_db()
    assert order.slot_id == days.first.pk
    assert (taken(days.first), taken(days.second)) == (3, 18)
    assert not order.log.filter(action="moved").exists()


def test_an_order_with_an_admitted_visitor_or_to_a_past_or_closed_day_is_not_moved(
    fares, days, clerk
):
    today = whole_day_slot(timezone.localdate())
    admitted = order_for(today, {fares.adult: 2})
    services.ticket_check_in(payload=admitted.tickets.first().code, user=clerk)
    with pytest.raises(NotAllowed):
        order_changes.order_move(order=admitted, user=clerk, slot_id=days.second.pk)

    order = order_for(days.first, {fares.adult: 1})
    past = whole_day_slot(timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(BookingError, match="passed"):
        order_changes.order_move(order=order, user=clerk, slot_id=past.pk)
    with pytest.raises(BookingError):
        order_changes.order_move(order=order, user=clerk, slot_id=999999)
    assert (taken(today), taken(days.first), taken(days.second)) == (2, 1, 0)


@pytest.mark.parametrize("meanwhile", ["day closed", "slot moved"])
def test_a_move_that_waited_while_the_new_day_closed_or_its_slot_moved_is_refused(
    fares, days, clerk, meanwhile
):
    """The checks before the move's take passed on the slot as it was; the take refuses."""
    order = order_for(days.first, {fares.adult: 2})
    stale = Slot.objects.get(pk=days.second.pk)
    if meanwhile == "day closed":
        ClosedDay.objects.create(date=days.second.date)
        refusal = "closed on that day"
    else:
        Slot.objects.filter(pk=days.second.pk).update(
            starts_at=datetime.time(15), ends_at=datetime.time(16)
        )
        refusal = "just been changed"

    with (
        mock.patch.object(order_changes, "_bookable_slot", return_value=stale),
        pytest.raises(BookingError, match=refusal),
    ):
        order_changes.order_move(order=order, user=clerk, slot_id=days.second.pk)

    order.refresh_from_db()
    assert order.slot_id == days.first.pk
    assert (taken(days.first), taken(days.second)) == (2, 0)
    assert not order.log.filter(action="moved").exists()


# --- quantities -------------------------------------------------------------------------


def test_changing_the_quantities_of_a_gate_order_takes_and_releases_places(fares, days, clerk):
    order = order_for(days.first, {fares.adult: 2, fares.child: 1})

    order = order_changes.order_change_quantities(
        order=order, user=clerk, quantities={fares.adult.pk: 3, fares.child.pk: 0}
    )

    assert (order.quantity, taken(days.first)) == (3, 3)
    assert order.total == 3 * fares.adult.price
    assert order.tickets.filter(ticket_type=fares.adult).count() == 3
    assert not order.tickets.filter(ticket_type=fares.child).exists()
    entry = order.log.get(action="quantities_changed")
    assert entry.data["old"] == {str(fares.adult.pk): 2, str(fares.child.pk): 1}
    assert entry.data["new"] == {str(fares.adult.pk): 3}


def test_more_tickets_than_places_left_is_refused_and_changes_nothing(fares, days, clerk):
    phone_limit(20)  # one order of 17 fills the slot
    order = order_for(days.first, {fares.adult: 2})
    order_for(days.first, {fares.adult: 17})

    with pytest.raises(SoldOut):
        order_changes.order_change_quantities(
            order=order, user=clerk, quantities={fares.adult.pk: 4}
        )

    order.refresh_from_db()
    assert (order.quantity, order.total, taken(days.first)) == (2, Decimal("120.00"), 19)
    assert order.tickets.count() == 2


def test_a_paid_order_only_shrinks_and_the_money_follows(fares, days, clerk, fake_stripe):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 2, fares.child: 1})
    with pytest.raises(NotAllowed, match="new order"):
        order_changes.order_change_quantities(
            order=order, user=clerk, quantities={fares.adult.pk: 3}
        )

    order = order_changes.order_change_quantities(
        order=order, user=clerk, quantities={fares.adult.pk: 1, fares.child.pk: 1}
    )

    assert (order.quantity, order.total, taken(days.first)) == (2, Decimal("90.00"), 2)
    assert refunded_on_stripe(fake_stripe) == 6000


# --- confirmation and payment at the gate ----------------------------------------------


@pytest.mark.parametrize(
    "language, words", [("en", ["Your tickets for"]), ("zh-hans", ["您的", "门票"])]
)
def test_the_confirmation_is_resent_in_the_tourists_language(
    language, words, fares, days, clerk, fake_stripe
):
    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 1}, language=language)
    mail.outbox.clear()

    order_changes.order_resend_confirmation(order=order, user=clerk)

    [email] = mail.outbox
    assert email.to == ["lihua@example.com"]
    assert all(word in email.subject for word in words)
    assert order.reference in email.subject
    assert order.log.get(action="confirmation_resent").user == clerk


def test_the_resent_confirmation_goes_on_the_queue_not_through_the_clerks_request(
    fares, days, clerk, fake_stripe, monkeypatch
):
    from tourism.tasks import order_email_send

    order = paid_by_stripe(fake_stripe, days.first, {fares.adult: 1})
    mail.outbox.clear()
    queued = []
    monkeypatch.setattr(order_email_send, "delay", lambda *args, **kw: queued.append(args))

    order_changes.order_resend_confirmation(order=order, user=clerk)

    assert (queued, mail.outbox) == ([(order.pk,)], [])
    assert order.log.get(action="confirmation_resent").user == clerk


def test_marking_a_gate_order_paid_records_the_payment_once(fares, days, clerk):
    order = order_for(days.first, {fares.adult: 2})

    order_changes.order_mark_paid_at_gate(order=order, user=clerk)
    with pytest.raises(NotAllowed):
        order_changes.order_mark_paid_at_gate(order=order, user=clerk)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    payment = order.payments.get()
    assert (payment.amount, payment.taken_by, payment.provider) == (
        Decimal("120.00"),
        clerk,
        "gate",
    )
