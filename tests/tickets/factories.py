"""Test factories for visitor tickets: ticket types, entry slots, orders, staff users.

Orders are made by the booking service itself (``order_create``), so their places,
lines and tickets are exactly what a real booking produces.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tourism.models import TicketType
from tourism.tickets import services
from tourism.tickets.models import Order, Slot
from tourism.tickets.payments.gate import GateProvider

PASSWORD = "gate-test-password"


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    name = factory.Sequence(lambda n: f"门票{n}")
    name_en = factory.Sequence(lambda n: f"Ticket {n}")
    audience = TicketType.Audience.ADULT
    price = Decimal("60.00")


class SlotFactory(factory.django.DjangoModelFactory):
    """An hour's entry window a week from today, 10 places."""

    class Meta:
        model = Slot

    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    starts_at = datetime.time(9, 0)
    ends_at = datetime.time(10, 0)
    capacity = 10


def whole_day_slot(date: datetime.date, *, capacity: int = 50) -> Slot:
    """A whole-day slot: bookable all day, so a test for today never meets a closed entry time."""
    return SlotFactory(date=date, starts_at=None, ends_at=None, capacity=capacity)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@huagu.example")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)


def user_in_role(role: str, **fields):
    """A user in one of the role groups the migrations create ("Gate staff", "Officials" …)."""
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def order_for(
    slot: Slot,
    lines: dict[TicketType, int],
    *,
    now: datetime.datetime | None = None,
    channel: str = "web",
    name: str = "王小花",
) -> Order:
    """A pay-at-gate order (status reserved, tickets issued) made through the booking service."""
    return services.order_create(
        slot_id=slot.pk,
        quantities={ticket_type.pk: quantity for ticket_type, quantity in lines.items()},
        contact=services.Contact(name, "13800000000", "visitor@example.com"),
        channel=channel,
        provider=GateProvider(),
        now=now,
    )
