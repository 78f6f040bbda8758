"""Test factories for visitor tickets: ticket types, entry slots, orders, staff users, partners.

Orders are made by the booking service itself (``order_create``), so their places,
lines and tickets are exactly what a real booking produces.
"""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tourism.models import TicketType
from tourism.tickets import services
from tourism.tickets.models import Order, Slot
from tourism.tickets.partner_keys import api_key_issue
from tourism.tickets.partners import ApiKey, Partner
from tourism.tickets.payments.gate import GateProvider

PASSWORD = "gate-test-password"
# Mainland mobile numbers, one per tourist the factories make.
PHONES = (f"138{n:08d}" for n in itertools.count())


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


def id_number(birth: str = "19900307", *, region: str = "510104", sequence: str = "123") -> str:
    """A made-up mainland ID number (region, birth date, sequence) with its GB 11643 check digit."""
    from core.identity import id_check_digit

    first17 = f"{region}{birth}{sequence}"
    return first17 + id_check_digit(first17)


def visitor(ticket_type: TicketType, name: str = "测试游客", number: str | None = None, **fields):
    """A visitor for one ticket of ``ticket_type``, with a resident ID card unless told otherwise."""
    from tourism.tickets.realname import VisitorIn

    return VisitorIn(
        ticket_type_id=ticket_type.pk,
        name=name,
        document_type=fields.get("document_type", "id_card"),
        number=number if number is not None else id_number(),
    )


def real_name_on(**fields):
    """Switch real-name tickets on in the default site's booking rules."""
    from tourism.tickets.rules import BookingRules

    rules = BookingRules.current()
    rules.real_name = True
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def order_for(
    slot: Slot,
    lines: dict[TicketType, int],
    *,
    now: datetime.datetime | None = None,
    channel: str = "web",
    name: str = "王小花",
    phone: str | None = None,
    visitors: list | None = None,
) -> Order:
    """A pay-at-gate order (status reserved, tickets issued) made through the booking service.

    Each order is a tourist of their own, with a phone number of their own, unless ``phone``
    is given.
    """
    return services.order_create(
        slot_id=slot.pk,
        quantities={ticket_type.pk: quantity for ticket_type, quantity in lines.items()},
        contact=services.Contact(name, phone or next(PHONES), "visitor@example.com"),
        channel=channel,
        provider=GateProvider(),
        now=now,
        visitors=visitors,
    )


def paid_by_stripe(
    fake_stripe,
    slot: Slot,
    lines: dict[TicketType, int],
    *,
    name: str = "李华",
    phone: str = "138 0000 0000",
    email: str = "lihua@example.com",
    language: str = "zh-hans",
) -> Order:
    """An order booked online and paid on ``fake_stripe`` (the fixture), as its webhook would confirm."""
    from tourism.tickets.payments.stripe import (
        StripeProvider,
        checkout_session_apply,
        session_retrieve,
    )

    order = services.order_create(
        slot_id=slot.pk,
        quantities={ticket_type.pk: quantity for ticket_type, quantity in lines.items()},
        contact=services.Contact(name, phone, email),
        language=language,
        provider=StripeProvider(),
    )
    payment = services.order_start_payment(order=order, base_url="http://testserver")
    fake_stripe.complete(payment.provider_reference)
    checkout_session_apply(payment=payment, session=session_retrieve(payment.provider_reference))
    order.refresh_from_db()
    return order


def phone_limit(tickets: int):
    """Set the default site's booking rules to allow ``tickets`` per phone per date."""
    from wagtail.models import Site

    from tourism.tickets.rules import BookingRules

    rules, _ = BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"max_tickets_per_phone": tickets}
    )
    return rules


# --- channel partners and their API keys ---------------------------------------------


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"旅行社{n}")
    contact_name = "王经理"
    contact_phone = "13800000001"


def partner_key(partner: Partner | None = None, **options) -> tuple[ApiKey, str]:
    """A key issued by the service, and the key itself as the partner would send it."""
    return api_key_issue(partner=partner or PartnerFactory(), label="test", **options)


def bearer(raw_key: str) -> dict:
    """``Client`` keyword arguments that send ``raw_key`` as a partner does."""
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
