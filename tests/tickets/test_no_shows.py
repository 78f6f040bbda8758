"""Pay-at-gate reservations nobody came for: released after the park's minutes, counted per phone."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from wagtail.models import Site

from tests.tickets.factories import SlotFactory, TicketTypeFactory, UserFactory
from tourism.tickets import limits, services
from tourism.tickets.models import Order, OrderLog, Slot
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.rules import BookingRules
from tourism.tickets.selectors import day_availability
from tourism.tickets.services import BookingError, Contact

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


@pytest.fixture
def adult(db):
    return TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))


@pytest.fixture
def rules(db):
    """Released 30 minutes after entry starts; two no-shows and the phone must pay online."""
    rules, _ = BookingRules.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"release_unpaid_after_minutes": 30, "no_shows_before_pay_online": 2},
    )
    return rules


def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


@pytest.fixture
def today_slot(db):
    """Today, entry 09:00–10:00, 10 places."""
    return SlotFactory(
        date=timezone.localdate(), starts_at=datetime.time(9), ends_at=datetime.time(10)
    )


def reserve(slot, adult, quantity=2, *, phone=PHONE, email="", now=None, language="zh-hans"):
    return services.order_create(
        slot_id=slot.pk,
        quantities={adult.pk: quantity},
        contact=Contact("王小花", phone, email),
        provider=GateProvider(),
        language=language,
        now=now or at(slot.date, 8),
    )


def test_a_reservation_is_kept_until_the_minutes_after_entry_starts_have_passed(
    rules, adult, today_slot
):
    order = reserve(today_slot, adult, 3)

    assert limits.no_shows_release(now=at(today_slot.date, 9, 30)) == 0
    assert Order.objects.get(pk=order.pk).status == Order.Status.RESERVED
    assert Slot.objects.get(pk=today_slot.pk).taken == 3

    assert limits.no_shows_release(now=at(today_slot.date, 9, 30, 1)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Slot.objects.get(pk=today_slot.pk).taken == 0
    # In the order written: the release is dated at the simulated ``now``, the booking at the real one.
    logged = OrderLog.objects.filter(order=order).order_by("pk")
    assert list(logged.values_list("action", flat=True)) == [
        "created",
        limits.RELEASED,
    ]


def test_a_reservation_with_a_visitor_admitted_is_not_released(rules, adult, today_slot):
    order = reserve(today_slot, adult, 2)
    services.ticket_check_in(
        payload=order.tickets.first().code, user=UserFactory(), now=at(today_slot.date, 9, 5)
    )

    assert limits.no_shows_release(now=at(today_slot.date, 12)) == 0
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_paid_orders_and_parks_without_the_rule_release_nothing(adult, today_slot):
    reserve(today_slot, adult, 2)  # rules left at their defaults: release never

    assert limits.no_shows_release(now=at(today_slot.date, 17)) == 0
    assert Slot.objects.get(pk=today_slot.pk).taken == 2


def test_released_places_show_as_free_at_once_and_can_be_booked_before_the_command(rules, adult):
    slot = SlotFactory(
        date=timezone.localdate(), starts_at=datetime.time(9), ends_at=datetime.time(12), capacity=4
    )
    reserve(slot, adult, 4)
    before, after = at(slot.date, 9, 30), at(slot.date, 9, 31)

    assert day_availability(slot.date, now=before).remaining == 0
    assert day_availability(slot.date, now=after).remaining == 4

    # Full by its counter, yet a booking after the release time takes the places.
    order = reserve(slot, adult, 4, phone="13900139000", now=after)

    assert order.status == Order.Status.RESERVED
    assert Slot.objects.get(pk=slot.pk).taken == 4
    assert Order.objects.filter(status=Order.Status.CANCELLED, contact_phone=PHONE).count() == 1


def test_a_whole_day_reservation_is_released_after_opening_time(rules, adult):
    from tourism.models import OpeningHours, SiteSettings

    today = timezone.localdate()
    park = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    park.save()
    OpeningHours.objects.create(
        settings=park,
        weekday=today.weekday(),
        opens=datetime.time(8, 30),
        closes=datetime.time(18),
    )
    slot = SlotFactory(date=today, starts_at=None, ends_at=None)
    reserve(slot, adult, 2, now=at(today, 7))

    assert limits.no_shows_release(now=at(today, 9)) == 0
    assert limits.no_shows_release(now=at(today, 9, 0, 1)) == 1


def test_the_command_releases_and_tells_the_tourist_in_their_language(
    rules, adult, mailoutbox, django_capture_on_commit_callbacks
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    slot = SlotFactory(date=yesterday, starts_at=datetime.time(9), ends_at=datetime.time(10))
    order = reserve(slot, adult, 2, email="visitor@example.com", language="en")
    kept = reserve(SlotFactory(), adult, 1, phone="13900139000", now=timezone.now())
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("release_no_shows", stdout=out)

    assert out.getvalue().startswith("1 reservation(s) released")
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert Order.objects.get(pk=kept.pk).status == Order.Status.RESERVED
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["visitor@example.com"]
    assert "Nobody came for your pay-at-gate reservation" in mailoutbox[0].body


def test_the_release_email_reads_in_chinese(
    rules, adult, today_slot, mailoutbox, django_capture_on_commit_callbacks
):
    reserve(today_slot, adult, 2, email="visitor@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        limits.no_shows_release(now=at(today_slot.date, 10))

    assert "您预约的" in mailoutbox[0].body
    assert "名额已重新开放预订" in mailoutbox[0].body


def no_show(adult, *, days_ago: int, today: datetime.date) -> None:
    """A released reservation of PHONE, ``days_ago`` days before ``today``."""
    day = today - datetime.timedelta(days=days_ago)
    slot = SlotFactory(date=day, starts_at=datetime.time(9), ends_at=datetime.time(10))
    reserve(slot, adult, 1, now=at(day, 8))
    assert limits.no_shows_release(now=at(day, 10)) == 1


def test_no_shows_count_over_the_last_ninety_days_only(rules, adult):
    rules.no_shows_before_pay_online = None  # counted here, not refused
    rules.save()
    today = timezone.localdate()
    no_show(adult, days_ago=91, today=today)
    no_show(adult, days_ago=89, today=today)
    now = at(today, 12)

    assert limits.no_shows(phone=PHONE, now=now) == 1
    assert limits.no_shows(phone="13900139000", now=now) == 0

    no_show(adult, days_ago=1, today=today)
    assert limits.no_shows(phone=PHONE, now=now) == 2


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "en",
            "This phone number did not come to 2 pay-at-gate reservations in the last 90 days. "
            "It cannot reserve to pay at the gate, and the park takes no online payment at the "
            "moment; please call the park or buy tickets at the box office.",
        ),
        ("zh-hans", "该手机号在最近 90 天内有 2 次到园付款的预约未到场。"),
    ],
)
def test_a_phone_with_repeated_no_shows_may_not_reserve_to_pay_at_the_gate(
    rules, adult, settings, language, expected
):
    settings.STRIPE_SECRET_KEY = ""
    today = timezone.localdate()
    no_show(adult, days_ago=30, today=today)
    no_show(adult, days_ago=10, today=today)
    slot = SlotFactory(date=today + datetime.timedelta(days=3))

    with translation.override(language), pytest.raises(BookingError) as refused:
        reserve(slot, adult, 1, now=timezone.now())

    assert refused.value.field == "phone"
    assert refused.value.message.startswith(expected)
    assert Slot.objects.get(pk=slot.pk).taken == 0
    # Another phone still may.
    assert reserve(slot, adult, 1, phone="13900139000", now=timezone.now()).quantity == 1


def test_with_online_payment_on_offer_the_refusal_says_to_pay_online(rules, adult, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    today = timezone.localdate()
    no_show(adult, days_ago=30, today=today)
    no_show(adult, days_ago=10, today=today)
    slot = SlotFactory(date=today + datetime.timedelta(days=3))

    with translation.override("en"), pytest.raises(BookingError) as refused:
        reserve(slot, adult, 1, now=timezone.now())

    assert refused.value.message.endswith("It can book again by paying online.")
