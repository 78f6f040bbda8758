"""Limits that stop hoarding: tickets per phone number per date, and the per-order maximum."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone, translation
from wagtail.models import Site

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets import services
from tourism.tickets.models import Order, Slot
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.rules import BookingRules
from tourism.tickets.services import BookingError, Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def rules(db):
    """The default site's rules: at most 5 tickets per phone per date."""
    site = Site.objects.get(is_default_site=True)
    rules, _ = BookingRules.objects.update_or_create(
        site=site, defaults={"max_tickets_per_phone": 5}
    )
    return rules


def book(slot, adult, quantity, *, phone="138 0013 8000", now=None):
    return services.order_create(
        slot_id=slot.pk,
        quantities={adult.pk: quantity},
        contact=Contact("王小花", phone, ""),
        provider=GateProvider(),
        now=now,
    )


def test_a_phone_may_book_up_to_the_limit_over_several_orders_and_slots(rules, adult):
    morning = SlotFactory(starts_at=datetime.time(9), ends_at=datetime.time(10), capacity=20)
    noon = SlotFactory(
        date=morning.date, starts_at=datetime.time(12), ends_at=datetime.time(13), capacity=20
    )
    book(morning, adult, 3)
    book(noon, adult, 2)  # 3 + 2 = 5, the limit

    with translation.override("en"), pytest.raises(BookingError) as refused:
        book(noon, adult, 1, phone="+86 138-0013-8000")  # the same phone, written otherwise

    assert refused.value.field == "phone"
    assert refused.value.message == (
        "One phone number may book at most 5 tickets for one day. This number already has "
        f"5 tickets for {morning.date.isoformat()}, so 0 more can be booked."
    )
    # Nothing was saved: the slot's places and the orders are as before.
    assert Slot.objects.get(pk=noon.pk).taken == 2
    assert Order.objects.count() == 2


def test_the_phone_limit_refusal_reads_in_chinese(rules, adult):
    slot = SlotFactory(capacity=20)
    book(slot, adult, 4)

    with translation.override("zh-hans"), pytest.raises(BookingError) as refused:
        book(slot, adult, 2)

    assert "同一手机号每天最多预订 5 张票" in refused.value.message
    assert "还可预订 1 张" in refused.value.message


def test_another_phone_or_another_date_is_not_counted(rules, adult):
    slot = SlotFactory(capacity=20)
    next_day = SlotFactory(date=slot.date + datetime.timedelta(days=1), capacity=20)
    book(slot, adult, 5)

    book(slot, adult, 5, phone="13900139000")
    book(next_day, adult, 5)

    assert Slot.objects.get(pk=slot.pk).taken == 10


def test_cancelled_orders_and_run_out_holds_give_the_phone_its_tickets_back(rules, adult):
    slot = SlotFactory(capacity=20)
    cancelled = book(slot, adult, 5)
    services.order_cancel(order=cancelled)
    now = timezone.now()
    # An online order's hold that ran out but was not yet expired by any write.
    Order.objects.create(
        slot=slot,
        status=Order.Status.PENDING,
        provider="stripe",
        contact_name="王小花",
        contact_phone="13800138000",
        quantity=5,
        total=Decimal("300"),
        hold_expires_at=now - datetime.timedelta(minutes=1),
    )
    Slot.objects.filter(pk=slot.pk).update(taken=F("taken") + 5)

    order = book(slot, adult, 5, now=now)

    assert order.quantity == 5


def test_box_office_sales_are_not_limited_by_phone(rules, adult):
    slot = SlotFactory(capacity=20)
    for _ in range(3):
        services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: 4},
            contact=None,
            provider=GateProvider(),
            channel="box_office",
        )

    assert Slot.objects.get(pk=slot.pk).taken == 12


def test_an_order_over_the_maximum_points_to_the_group_booking(settings, adult, rules):
    settings.TICKETS_MAX_PER_ORDER = 4
    slot = SlotFactory(capacity=20)

    with translation.override("en"), pytest.raises(BookingError) as refused:
        book(slot, adult, 5)

    assert refused.value.message == (
        "At most 4 tickets per order. For a larger group, please use the group booking."
    )
    assert Slot.objects.get(pk=slot.pk).taken == 0


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("+852 9123 4567", "+85291234567"),
    ],
)
def test_the_contact_phone_is_stored_normalised(rules, adult, typed, stored):
    order = book(SlotFactory(capacity=20), adult, 1, phone=typed)

    assert order.contact_phone == stored


@pytest.mark.parametrize("typed", ["12345", "1381234567", "23812345678", "电话"])
def test_a_phone_that_is_not_a_mobile_or_international_number_is_refused(rules, adult, typed):
    slot = SlotFactory(capacity=20)

    with translation.override("en"), pytest.raises(BookingError) as refused:
        book(slot, adult, 1, phone=typed)

    assert refused.value.field == "phone"
    assert "mainland mobile number" in refused.value.message
    assert not Order.objects.exists()


def test_an_order_without_email_is_booked_and_only_orders_with_one_send_mail(
    rules, adult, mailoutbox, django_capture_on_commit_callbacks
):
    slot = SlotFactory(capacity=20)
    with django_capture_on_commit_callbacks(execute=True):
        without = book(slot, adult, 2)
        with_email = services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: 1},
            contact=Contact("李华", "13900139000", "lihua@example.com"),
            provider=GateProvider(),
        )

    assert without.contact_email == ""
    assert without.status == Order.Status.RESERVED
    assert [message.to for message in mailoutbox] == [["lihua@example.com"]]
    assert with_email.reference in mailoutbox[0].subject
