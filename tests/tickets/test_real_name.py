"""Real-name tickets: visitors on orders, numbers encrypted at rest, one ticket per ID per date."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from core.id_crypto import decrypt_id_number, id_number_hash
from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    UserFactory,
    id_number,
    order_for,
    real_name_on,
    visitor,
)
from tourism.models import TicketType
from tourism.tickets import order_changes, services
from tourism.tickets.models import Order, Slot
from tourism.tickets.realname import VisitorError, VisitorIn, visitors_add
from tourism.tickets.visitors import Visitor

pytestmark = pytest.mark.django_db

ALICE = id_number("19900307", sequence="123")
BOB = id_number("19850611", sequence="456")


@pytest.fixture(autouse=True)
def english():
    # The messages are read in English here; their Chinese is in the catalog.
    with translation.override("en"):
        yield


@pytest.fixture
def rules(db):
    return real_name_on()


def test_ticket_numbers_are_stored_encrypted_and_the_raw_column_holds_no_id_number(
    rules, ticket_types
):
    slot = SlotFactory()
    order = order_for(
        slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number_encrypted, number_hash FROM tourism_visitor WHERE order_id = %s",
            [order.pk],
        )
        encrypted, number_hash = cursor.fetchone()
    assert ALICE not in encrypted and ALICE[6:14] not in encrypted and ALICE[-4:] not in encrypted
    assert ALICE not in number_hash
    # The hash is keyed: not a plain digest anyone could compute from a guessed number.
    import hashlib

    assert number_hash != hashlib.sha256(ALICE.encode()).hexdigest()
    assert decrypt_id_number(encrypted) == ALICE
    assert number_hash == id_number_hash(ALICE)


def test_each_ticket_carries_its_visitor(rules, ticket_types):
    slot = SlotFactory()
    order = order_for(
        slot,
        {ticket_types.adult: 2},
        visitors=[
            visitor(ticket_types.adult, "张三", ALICE),
            visitor(ticket_types.adult, "李四", BOB),
        ],
    )

    named = {t.visitor.name: t.visitor.number for t in order.tickets.select_related("visitor")}
    assert named == {"张三": ALICE, "李四": BOB}
    assert {v.visit_date for v in order.visitors.all()} == {slot.date}


def test_a_booking_without_visitors_is_refused_when_real_name_is_on(rules, ticket_types):
    slot = SlotFactory()

    with pytest.raises(VisitorError, match="name and ID"):
        order_for(slot, {ticket_types.adult: 1})

    slot.refresh_from_db()
    assert slot.taken == 0 and not Order.objects.exists()


def test_without_real_name_a_booking_needs_no_visitors(ticket_types):
    order = order_for(SlotFactory(), {ticket_types.adult: 1})

    assert order.tickets.count() == 1 and not order.visitors.exists()


def test_one_visitor_is_needed_for_each_ticket(rules, ticket_types):
    with pytest.raises(VisitorError, match="1 given for 2 tickets"):
        order_for(
            SlotFactory(),
            {ticket_types.adult: 2},
            visitors=[visitor(ticket_types.adult, "张三", ALICE)],
        )
    assert not Visitor.objects.exists()


def test_a_wrong_id_number_is_refused_naming_the_visitor(rules, ticket_types):
    wrong = ALICE[:17] + ("0" if ALICE[17] != "0" else "1")

    with pytest.raises(VisitorError) as refused:
        order_for(
            SlotFactory(),
            {ticket_types.adult: 2},
            visitors=[
                visitor(ticket_types.adult, "张三", BOB),
                visitor(ticket_types.adult, "李四", wrong),
            ],
        )

    assert refused.value.index == 1
    assert "李四" in refused.value.message and "last character" in refused.value.message
    assert not Order.objects.exists() and Slot.objects.get().taken == 0


def test_one_id_number_holds_one_ticket_per_visit_date(rules, ticket_types):
    morning = SlotFactory(starts_at=datetime.time(9), ends_at=datetime.time(10))
    afternoon = SlotFactory(
        date=morning.date, starts_at=datetime.time(14), ends_at=datetime.time(15)
    )
    order_for(
        morning, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )

    with pytest.raises(VisitorError) as refused:
        order_for(
            afternoon,
            {ticket_types.adult: 2},
            visitors=[
                visitor(ticket_types.adult, "李四", BOB),
                visitor(ticket_types.adult, "张三", ALICE),
            ],
        )

    assert refused.value.index == 1
    assert "张三" in refused.value.message and morning.date.isoformat() in refused.value.message
    afternoon.refresh_from_db()
    assert afternoon.taken == 0
    assert Visitor.objects.count() == 1
    # Another day is another visit.
    next_day = SlotFactory(date=morning.date + datetime.timedelta(days=1))
    order_for(
        next_day, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )


def test_the_same_id_number_twice_in_one_booking_is_refused(rules, ticket_types):
    with pytest.raises(VisitorError, match="already given for Visitor 1"):
        order_for(
            SlotFactory(),
            {ticket_types.adult: 2},
            visitors=[
                visitor(ticket_types.adult, "张三", ALICE),
                visitor(ticket_types.adult, "张三", ALICE.lower()),
            ],
        )


def test_a_cancelled_order_frees_its_id_numbers(rules, ticket_types):
    slot = SlotFactory()
    first = order_for(
        slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )

    services.order_cancel(order=first)

    assert first.visitors.get().released_at is not None
    again = order_for(
        slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )
    assert again.tickets.get().visitor.number == ALICE


def test_an_expired_online_order_frees_its_id_numbers(rules, ticket_types):
    from tourism.tickets.payments.base import PaymentProvider

    class Online(PaymentProvider):
        name = "stripe"
        online = True

    slot = SlotFactory()
    now = timezone.now()
    pending = services.order_create(
        slot_id=slot.pk,
        quantities={ticket_types.adult.pk: 1},
        contact=services.Contact("张三", "13800000000", "zhang@example.com"),
        provider=Online(),
        visitors=[visitor(ticket_types.adult, "张三", ALICE)],
        now=now,
    )
    assert pending.status == Order.Status.PENDING and not pending.tickets.exists()

    services.orders_expire_due(now=now + datetime.timedelta(hours=2))

    assert pending.visitors.get().released_at is not None
    order_for(slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)])


def test_refunding_one_ticket_frees_only_its_visitor(rules, ticket_types):
    slot = SlotFactory()
    order = order_for(
        slot,
        {ticket_types.adult: 2},
        visitors=[
            visitor(ticket_types.adult, "张三", ALICE),
            visitor(ticket_types.adult, "李四", BOB),
        ],
    )
    alice_ticket = Visitor.objects.get(name="张三").ticket
    staff = UserFactory(is_superuser=True)

    order_changes.order_refund_tickets(order=order, user=staff, ticket_ids=[alice_ticket.pk])

    assert Visitor.objects.get(name="张三").released_at is not None
    assert Visitor.objects.get(name="李四").released_at is None
    order_for(slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)])
    with pytest.raises(VisitorError):
        order_for(
            slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "李四", BOB)]
        )


def test_moving_an_order_moves_its_visitors_unless_their_numbers_are_taken_that_day(
    rules, ticket_types
):
    staff = UserFactory(is_superuser=True)
    slot = SlotFactory()
    later = SlotFactory(date=slot.date + datetime.timedelta(days=1))
    order = order_for(
        slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )

    order_changes.order_move(order=order, user=staff, slot_id=later.pk)
    assert order.visitors.get().visit_date == later.date

    other = order_for(
        slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "张三", ALICE)]
    )
    with pytest.raises(services.BookingError, match=later.date.isoformat()):
        order_changes.order_move(order=other, user=staff, slot_id=later.pk)
    later.refresh_from_db()
    assert later.taken == 1
    assert other.visitors.get().visit_date == slot.date


@pytest.fixture
def senior(db):
    return TicketTypeFactory(
        name="老年票",
        name_en="Senior",
        audience=TicketType.Audience.SENIOR,
        price=Decimal("30.00"),
        min_age=60,
    )


def test_a_senior_ticket_for_a_thirty_year_old_id_is_refused_naming_the_visitor_and_age(
    rules, senior
):
    slot = SlotFactory()
    thirty = id_number(f"{slot.date.year - 30}0101")

    with pytest.raises(VisitorError) as refused:
        order_for(slot, {senior: 1}, visitors=[visitor(senior, "王五", thirty)])

    assert "王五" in refused.value.message
    assert "60 or over" in refused.value.message and "age 30" in refused.value.message


def test_a_senior_ticket_for_a_sixty_year_old_id_is_sold(rules, senior):
    slot = SlotFactory()
    sixty = id_number(f"{slot.date.year - 60}{slot.date:%m%d}")

    order = order_for(slot, {senior: 1}, visitors=[visitor(senior, "王五", sixty)])

    assert order.tickets.get().visitor.name == "王五"


def test_an_age_restricted_ticket_needs_an_id_card_that_shows_the_birth_date(rules, senior):
    with pytest.raises(VisitorError, match="box office") as refused:
        order_for(
            SlotFactory(),
            {senior: 1},
            visitors=[visitor(senior, "Jane Roe", "E12345678", document_type="passport")],
        )
    assert refused.value.part == "document_type"


def test_visitors_can_be_added_to_an_order_later_under_the_same_rules(ticket_types):
    slot = SlotFactory()
    order = order_for(slot, {ticket_types.adult: 2})
    order_for(slot, {ticket_types.adult: 1}, visitors=[visitor(ticket_types.adult, "赵六", BOB)])

    with pytest.raises(VisitorError, match="赵六"):
        visitors_add(order=order, visitors=[visitor(ticket_types.adult, "赵六", BOB)])
    added = visitors_add(order=order, visitors=[visitor(ticket_types.adult, "张三", ALICE)])

    assert [v.ticket_id for v in added] == [order.tickets.order_by("pk").first().pk]
    with pytest.raises(VisitorError, match="cannot be added"):
        visitors_add(
            order=order,
            visitors=[
                visitor(ticket_types.adult, "甲", id_number("19700101")),
                visitor(ticket_types.adult, "乙", id_number("19700102")),
            ],
        )
    assert order.visitors.count() == 1


def test_a_visitor_for_a_ticket_type_not_on_the_order_is_refused(ticket_types):
    order = order_for(SlotFactory(), {ticket_types.adult: 1})

    with pytest.raises(VisitorError, match="not part of this order"):
        visitors_add(
            order=order,
            visitors=[VisitorIn(ticket_types.child.pk, "小明", "id_card", id_number("20180101"))],
        )
