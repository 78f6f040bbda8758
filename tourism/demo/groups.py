"""Demo group bookings (团队票): one coming group with its visitor list, one that has visited.

Every person is invented (演示…) and every ID number made up (region 99, which is nowhere) with a valid check digit so
the gate and the list treat them as real documents would be treated.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from core.id_crypto import encrypt_id_number, id_number_hash
from core.identity import DocumentType
from tourism.models import Order, OrderLine, OrderLog, Payment, Slot, Ticket, TicketType
from tourism.tickets.group_models import GroupBooking
from tourism.tickets.groups import Agency, GroupLeader, ListRow, group_create, group_list_save
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.visitors import Visitor

from .visitors import demo_id_number

DEMO_AGENCY = Agency("演示旅行社（虚构）", "L-SC-DEMO001")
COMING_PEOPLE, PAST_PEOPLE = 30, 25


def group_id_number(n: int) -> str:
    """A made-up resident ID number for person n: region 99 (nowhere), born in the 1980s."""
    born = datetime.date(1980 + n % 10, 1 + n % 12, 1 + n % 28)
    return demo_id_number(born, n)


def ensure_demo_groups(tally) -> None:
    if GroupBooking.objects.filter(agency=DEMO_AGENCY.name).exists():
        tally.add("demo groups", created=False)
        return
    group_rate = TicketType.objects.filter(audience=TicketType.Audience.GROUP, active=True).first()
    today = timezone.localdate()
    coming = (
        Slot.objects.filter(date=today + datetime.timedelta(days=10), starts_at__isnull=False)
        .order_by("starts_at")
        .first()
    )
    if group_rate is None or coming is None:
        return
    order = group_create(
        slot_id=coming.pk,
        people=COMING_PEOPLE,
        leader=GroupLeader("演示领队 陈导", "13900001234", "id_card", group_id_number(900)),
        agency=DEMO_AGENCY,
        pay_online=False,
        provider=GateProvider(),
    )
    # All but three named: the page says who is still to come and by when.
    group_list_save(
        order=order,
        rows=[
            ListRow(n, f"演示团员{n:02d}", "id_card", group_id_number(n))
            for n in range(1, COMING_PEOPLE - 3)
        ],
    )
    tally.add("demo groups", created=True)
    past = (
        Slot.objects.filter(date=today - datetime.timedelta(days=3), starts_at__isnull=False)
        .order_by("starts_at")
        .first()
    )
    if past is not None:
        _past_group(past, group_rate)
        tally.add("demo groups", created=True)


def _past_group(slot: Slot, group_rate: TicketType) -> None:
    """A group that visited: paid at the gate and admitted in one scan."""
    Slot.objects.filter(pk=slot.pk, taken__lte=F("capacity") - PAST_PEOPLE).update(
        taken=F("taken") + PAST_PEOPLE
    )
    arrived = timezone.make_aware(datetime.datetime.combine(slot.date, slot.starts_at))
    total = group_rate.price * PAST_PEOPLE
    order = Order.objects.create(
        slot=slot,
        status=Order.Status.PAID,
        provider="gate",
        contact_name="演示领队 刘导",
        contact_phone="13900005678",
        contact_email="",
        quantity=PAST_PEOPLE,
        total=total,
        created_at=arrived - datetime.timedelta(days=5),
        paid_at=arrived,
        channel=Order.Channel.GROUP,
    )
    OrderLine.objects.create(
        order=order, ticket_type=group_rate, quantity=PAST_PEOPLE, unit_price=group_rate.price
    )
    GroupBooking.objects.create(
        order=order,
        leader_name="演示领队 刘导",
        leader_phone="13900005678",
        agency=DEMO_AGENCY.name,
        agency_licence=DEMO_AGENCY.licence,
    )
    gate_user = get_user_model().objects.filter(username="gate").first()
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(
                order=order, ticket_type=group_rate, checked_in_at=arrived, checked_in_by=gate_user
            )
            for _ in range(PAST_PEOPLE)
        ]
    )
    # Its visitor list, as the leader gave it: the leader first, then the members.
    named = [("演示领队 刘导", group_id_number(800))] + [
        (f"演示团员{n:02d}", group_id_number(800 + n)) for n in range(1, PAST_PEOPLE)
    ]
    Visitor.objects.bulk_create(
        Visitor(
            order=order,
            ticket_type=group_rate,
            ticket=ticket,
            name=name,
            document_type=DocumentType.ID_CARD,
            number_encrypted=encrypt_id_number(number),
            number_hash=id_number_hash(number),
            visit_date=slot.date,
        )
        for ticket, (name, number) in zip(tickets, named, strict=True)
    )
    Payment.objects.create(
        order=order,
        provider="gate",
        amount=total,
        status=Payment.Status.SUCCEEDED,
        completed_at=arrived,
        taken_by=gate_user,
    )
    OrderLog.objects.create(order=order, action="created", at=arrived, data={"demo": True})
