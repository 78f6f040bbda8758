"""The order desk in the admin: who may use it, finding an order, its page, and its action forms."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.tickets.factories import (
    TicketTypeFactory,
    order_for,
    phone_limit,
    user_in_role,
    whole_day_slot,
)
from tourism.tickets import order_changes, services
from tourism.tickets.models import Order, OrderLog, Slot
from tourism.tickets.payments.gate import GateProvider

INDEX = "/admin/tickets/orders/"


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


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


def client_for(role: str, *, language: str = "en") -> tuple[Client, object]:
    user = user_in_role(role)
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": language})
    client = Client()
    client.force_login(user)
    return client, user


def book(slot, lines, *, name="王小花", phone="138 0013 8000", email="wang@example.com"):
    return services.order_create(
        slot_id=slot.pk,
        quantities={t.pk: n for t, n in lines.items()},
        contact=services.Contact(name, phone, email),
        provider=GateProvider(),
    )


def refused(answer) -> bool:
    """Wagtail sends a user without the permission back to the dashboard with a message."""
    return answer.status_code == 403 or (
        answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    )


def url(name: str, order: Order) -> str:
    return reverse(f"tourism_order:{name}", args=[order.pk])


@pytest.mark.parametrize("role", ["Editors", "Gate staff"])
def test_editors_and_gate_staff_reach_the_desk_from_the_tickets_menu(role, fares, days):
    client, _ = client_for(role)
    order = order_for(days.first, {fares.adult: 1})
    dashboard = client.get("/admin/")
    assert INDEX in dashboard.content.decode()
    assert client.get(INDEX).status_code == 200
    assert client.get(url("inspect", order)).status_code == 200
    assert client.get(url("move", order)).status_code == 200


def test_officials_see_no_orders_and_cannot_change_one(fares, days):
    client, _ = client_for("Officials")
    order = order_for(days.first, {fares.adult: 2})
    assert INDEX not in client.get("/admin/").content.decode()
    assert refused(client.get(INDEX))
    assert refused(client.get(url("inspect", order)))
    for name in ("refund_all", "refund_tickets", "move", "quantities", "resend", "mark_paid"):
        assert refused(client.get(url(name, order)))
    assert refused(client.post(url("refund_all", order), {"confirm": "on"}))
    order.refresh_from_db()
    assert order.status == Order.Status.RESERVED
    assert list(order.log.values_list("action", flat=True)) == ["created"]


def test_farm_managers_cannot_use_the_desk_either(fares, days):
    client, _ = client_for("Farm managers")
    order = order_for(days.first, {fares.adult: 1})
    assert refused(client.get(INDEX))
    assert refused(client.post(url("mark_paid", order), {"confirm": "on"}))
    order.refresh_from_db()
    assert order.status == Order.Status.RESERVED


def test_one_search_box_finds_an_order_by_reference_phone_name_or_email(fares, days):
    client, _ = client_for("Gate staff")
    wanted = book(
        days.first,
        {fares.adult: 1},
        name="李秀英",
        phone="+86 139-0831-2468",
        email="li@example.cn",
    )
    other = book(days.first, {fares.adult: 1}, name="张伟", phone="13700000000", email="z@ex.org")

    def found(query):
        page = client.get(INDEX, {"q": query}).content.decode()
        return wanted.reference in page, other.reference in page

    assert found(wanted.reference) == (True, False)
    # Read out without its dashes, in lower case.
    assert found(wanted.reference.replace("-", "").lower()) == (True, False)
    # The phone as the visitor says it, without spaces, dashes or the country code.
    assert found("13908312468") == (True, False)
    assert found("139 0831 2468") == (True, False)
    assert found("2468") == (True, False)
    assert found("李秀英") == (True, False)
    assert found("LI@EXAMPLE.CN") == (True, False)
    assert found("nobody-here") == (False, False)


def test_the_order_page_shows_lines_tickets_check_ins_payments_refunds_and_the_log(
    fares, days, settings
):
    client, clerk = client_for("Gate staff")
    today = whole_day_slot(timezone.localdate(), capacity=20)
    order = order_for(today, {fares.adult: 2, fares.child: 1})
    first, _, third = order.tickets.order_by("pk")
    services.ticket_check_in(payload=first.code, user=clerk)
    order_changes.order_refund_tickets(order=order, user=clerk, ticket_ids=[third.pk])

    page = client.get(url("inspect", order)).content.decode()
    assert "Adult" in page and "Child" not in page.split("Tickets and check-ins")[0]
    assert f"Admitted {timezone.localtime(first.checked_in_at):%Y-%m-%d %H:%M}" in page
    assert clerk.get_username() in page
    assert "Not yet admitted" in page
    assert "Refunded " in page
    # Paid at the gate ¥150 when the first visitor came in, then the child's ¥30 handed back.
    assert "¥150.00" in page and "Cash handed back" in page and "−¥30.00" in page
    log = page.split("data-log>")[1]
    assert "Booked: 3 visitors, ¥150.00" in log
    assert "¥150.00 paid at the gate." in log
    assert f"Ticket {first.code} admitted." in log
    assert f"Tickets {third.code} refunded: ¥30.00 handed back in cash" in log
    assert log.count(clerk.get_username()) == 3


def test_the_order_page_speaks_chinese_to_a_chinese_admin(fares, days):
    client, _ = client_for("Gate staff", language="zh-hans")
    order = order_for(days.first, {fares.adult: 1})
    page = client.get(url("inspect", order)).content.decode()
    assert "改到其他日期或时段" in page
    assert "预订：1 位游客" in page


def test_moving_needs_the_confirmation_and_then_moves_with_a_message(fares, days):
    client, clerk = client_for("Editors")
    order = order_for(days.first, {fares.adult: 2})
    form = client.get(url("move", order), {"date": f"{days.second.date:%Y-%m-%d}"})
    assert "20 places left" in form.content.decode()

    unconfirmed = client.post(
        url("move", order), {"date": f"{days.second.date:%Y-%m-%d}", "slot": days.second.pk}
    )
    assert unconfirmed.status_code == 200
    assert "Please correct the errors below." in unconfirmed.content.decode()
    order.refresh_from_db()
    assert order.slot_id == days.first.pk

    moved = client.post(
        url("move", order),
        {"date": f"{days.second.date:%Y-%m-%d}", "slot": days.second.pk, "confirm": "on"},
        follow=True,
    )
    assert f"moved to {days.second.date:%Y-%m-%d}" in moved.content.decode()
    order.refresh_from_db()
    assert order.slot_id == days.second.pk
    assert Slot.objects.get(pk=days.first.pk).taken == 0
    assert Slot.objects.get(pk=days.second.pk).taken == 2
    entry = OrderLog.objects.get(order=order, action="moved")
    assert entry.user == clerk


@pytest.mark.parametrize(
    "typed, refusal",
    [("2026-02-30", "Enter a valid date."), ("2020-01-01", "That date has passed.")],
)
def test_a_move_to_an_impossible_or_past_date_says_why_and_offers_no_times(
    fares, days, typed, refusal
):
    client, _ = client_for("Editors")
    order = order_for(days.first, {fares.adult: 2})

    page = client.get(url("move", order), {"date": typed}).content.decode()

    assert f'<p id="move-date-error" class="error-message" role="alert">{refusal}</p>' in page
    assert 'name="slot"' not in page
    # Posted straight to the form, it moves nothing either.
    client.post(url("move", order), {"date": typed, "slot": days.second.pk, "confirm": "on"})
    order.refresh_from_db()
    assert order.slot_id == days.first.pk


def test_moving_into_a_slot_too_full_says_so_and_changes_nothing(fares, days):
    client, _ = client_for("Gate staff")
    order = order_for(days.first, {fares.adult: 3})
    Slot.objects.filter(pk=days.second.pk).update(capacity=2)
    answer = client.post(
        url("move", order),
        {"date": f"{days.second.date:%Y-%m-%d}", "slot": days.second.pk, "confirm": "on"},
    )
    assert answer.status_code == 200
    assert "Only 2 places are left at that time; this order needs 3." in answer.content.decode()
    order.refresh_from_db()
    assert order.slot_id == days.first.pk
    assert Slot.objects.get(pk=days.first.pk).taken == 3
    assert Slot.objects.get(pk=days.second.pk).taken == 0
    assert not order.log.filter(action="moved").exists()


@pytest.mark.parametrize(
    "name, data",
    [
        ("move", {"date": "2020-13-45", "slot": "x", "confirm": "on"}),
        ("move", {"date": "1999-01-01", "slot": "999999", "confirm": "on"}),
        ("refund_tickets", {"tickets": ["999999"], "confirm": "on"}),
        ("refund_amount", {"amount": "-5", "confirm": "on"}),
        ("refund_amount", {"amount": "1e9999", "confirm": "on"}),
        ("quantities", {"qty_1": "abc", "confirm": "on"}),
    ],
)
def test_bad_input_to_an_action_answers_a_form_message_and_saves_nothing(name, data, fares, days):
    client, _ = client_for("Editors")
    order = order_for(days.first, {fares.adult: 2})
    answer = client.post(url(name, order), data)
    assert answer.status_code == 200
    assert "Please correct the errors below." in answer.content.decode()
    order.refresh_from_db()
    assert (order.status, order.slot_id, order.quantity) == (
        Order.Status.RESERVED,
        days.first.pk,
        2,
    )
    assert list(order.log.values_list("action", flat=True)) == ["created"]


def test_an_action_on_an_order_that_does_not_exist_is_404(db):
    client, _ = client_for("Editors")
    assert client.get("/admin/tickets/orders/move/999999/").status_code == 404


def test_marking_a_gate_order_paid_then_refunding_it_records_the_cash_both_ways(fares, days):
    client, clerk = client_for("Gate staff")
    order = order_for(days.first, {fares.adult: 2, fares.child: 1})
    paid = client.post(url("mark_paid", order), {"confirm": "on"}, follow=True)
    assert "¥150.00 taken at the gate" in paid.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.get().taken_by == clerk

    refunded = client.post(url("refund_all", order), {"confirm": "on", "note": "下雨"}, follow=True)
    assert "is cancelled and refunded" in refunded.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    refund = order.payments.get().refunds.get()
    assert (refund.amount, refund.made_by) == (Decimal("150.00"), clerk)
    assert Slot.objects.get(pk=days.first.pk).taken == 0
    page = client.get(url("inspect", order)).content.decode()
    assert "¥150.00 handed back in cash" in page and "Note: 下雨" in page


def test_the_desk_pages_take_as_many_queries_for_a_big_order_as_for_a_small_one(fares, days):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, clerk = client_for("Gate staff")
    phone_limit(20)  # one order of 12
    small = order_for(days.first, {fares.adult: 2})
    big = order_for(days.first, {fares.adult: 8, fares.child: 4})
    for order, refunded in ((small, 1), (big, 3)):
        order_changes.order_mark_paid_at_gate(order=order, user=clerk)
        order_changes.order_refund_tickets(
            order=order,
            user=clerk,
            ticket_ids=list(order.tickets.values_list("pk", flat=True)[:refunded]),
        )

    def queries(address):
        with CaptureQueriesContext(connection) as context:
            assert client.get(address).status_code == 200
        return len(context.captured_queries)

    assert queries(url("inspect", big)) == queries(url("inspect", small))
    for _ in range(10):
        order_for(days.second, {fares.adult: 1})
    few = queries(INDEX + "?q=王小花")
    order_for(days.second, {fares.adult: 1})
    assert queries(INDEX + "?q=王小花") == few


def test_quantities_and_an_amount_are_changed_through_their_forms(fares, days, fake_stripe):
    from tests.tickets.factories import paid_by_stripe

    client, clerk = client_for("Editors")
    reserved = order_for(days.first, {fares.adult: 2})
    changed = client.post(
        url("quantities", reserved),
        {f"qty_{fares.adult.pk}": 1, f"qty_{fares.child.pk}": 2, "confirm": "on"},
        follow=True,
    )
    assert "now has 3 visitors, ¥120.00" in changed.content.decode()
    reserved.refresh_from_db()
    assert (reserved.quantity, reserved.total) == (3, Decimal("120.00"))
    assert Slot.objects.get(pk=days.first.pk).taken == 3

    paid = paid_by_stripe(fake_stripe, days.second, {fares.adult: 2})
    form = client.get(url("refund_amount", paid)).content.decode()
    assert "At most ¥120.00 can still be refunded." in form
    too_much = client.post(url("refund_amount", paid), {"amount": "120.01", "confirm": "on"})
    assert "At most ¥120.00 of this order can still be refunded." in too_much.content.decode()
    assert not fake_stripe.refunds
    done = client.post(url("refund_amount", paid), {"amount": "20", "confirm": "on"}, follow=True)
    assert "¥20.00 refunded on order" in done.content.decode()
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [2000]
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    assert paid.log.get(action="amount_refunded").user == clerk
