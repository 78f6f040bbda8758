"""Find my tickets: one-time codes (hashed, expiring, limited) and a phone's upcoming orders."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.tickets.factories import SlotFactory, whole_day_slot
from tourism.tickets import lookup, services
from tourism.tickets.lookup import Identity, LookupRefused
from tourism.tickets.lookup_models import LookupCode
from tourism.tickets.models import Order
from tourism.tickets.payments.gate import GateProvider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]

PHONE = Identity("phone", "13800001234")
ADDRESS = "203.0.113.7"
# The start of a clock hour, so that hourly windows do not roll over within a test.
T0 = timezone.make_aware(datetime.datetime(2026, 12, 5, 10, 0))


def code_from(output: str) -> str:
    """The last six-digit code in what the console SMS provider (or an email) printed."""
    codes = re.findall(r"(?<!\d)\d{6}(?!\d)", output)
    assert codes, f"no code in {output!r}"
    return codes[-1]


def send(capsys, identity=PHONE, *, now=T0, address=ADDRESS) -> str:
    lookup.lookup_code_send(identity=identity, address=address, language="zh-hans", now=now)
    return code_from(capsys.readouterr().out)


def book(slot, ticket_types, *, phone="138 0000 1234", email="visitor@example.com", n=2):
    return services.order_create(
        slot_id=slot.pk,
        quantities={ticket_types.adult.pk: n},
        contact=services.Contact("王小花", phone, email),
        provider=GateProvider(),
    )


def test_a_code_is_stored_only_as_a_keyed_hash(capsys):
    code = send(capsys)
    record = LookupCode.objects.get()
    stored = " ".join(str(value) for value in LookupCode.objects.values_list().get())
    assert code not in stored
    assert PHONE.value not in stored
    assert PHONE.value[-4:] not in record.identity_hash
    assert len(record.code_hash) == 64


def test_the_right_code_works_once(capsys):
    code = send(capsys)
    lookup.lookup_code_verify(identity=PHONE, code=code, address=ADDRESS, now=T0)
    with pytest.raises(LookupRefused, match="expired or can no longer be used"):
        lookup.lookup_code_verify(identity=PHONE, code=code, address=ADDRESS, now=T0)


def test_a_code_typed_with_spaces_or_full_width_digits_is_accepted(capsys):
    code = send(capsys)
    typed = " ".join(chr(ord(digit) + 0xFEE0) for digit in code)  # ０-９ with spaces
    lookup.lookup_code_verify(identity=PHONE, code=typed, address=ADDRESS, now=T0)
    assert LookupCode.objects.get().used_at == T0


def test_a_code_expires_after_its_minutes(capsys, settings):
    settings.TICKETS_LOOKUP_CODE_MINUTES = 10
    code = send(capsys)
    just_after = T0 + datetime.timedelta(minutes=10, seconds=1)
    with pytest.raises(LookupRefused, match="expired"):
        lookup.lookup_code_verify(identity=PHONE, code=code, address=ADDRESS, now=just_after)

    # A new code, typed a second before its ten minutes end, still works.
    later = T0 + datetime.timedelta(minutes=30)
    code = send(capsys, now=later)
    lookup.lookup_code_verify(
        identity=PHONE,
        code=code,
        address=ADDRESS,
        now=later + datetime.timedelta(minutes=9, seconds=59),
    )


def test_wrong_tries_are_counted_and_the_limit_voids_the_code(capsys, settings):
    settings.TICKETS_LOOKUP_MAX_TRIES = 5
    code = send(capsys)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    left = []
    for _ in range(4):
        with pytest.raises(LookupRefused) as refused:
            lookup.lookup_code_verify(identity=PHONE, code=wrong, address=ADDRESS, now=T0)
        left.append(int(re.search(r"\d+", refused.value.message).group()))
    assert left == [4, 3, 2, 1]
    with pytest.raises(LookupRefused, match="expired or can no longer be used"):
        lookup.lookup_code_verify(identity=PHONE, code=wrong, address=ADDRESS, now=T0)
    # The fifth wrong try used up the code: now even the right one is refused.
    with pytest.raises(LookupRefused, match="expired or can no longer be used"):
        lookup.lookup_code_verify(identity=PHONE, code=code, address=ADDRESS, now=T0)
    assert LookupCode.objects.get().failed_tries == 5


def test_a_new_code_voids_the_one_before(capsys):
    first = send(capsys)
    second = send(capsys, now=T0 + datetime.timedelta(minutes=2))
    when = T0 + datetime.timedelta(minutes=3)
    if first != second:
        with pytest.raises(LookupRefused):
            lookup.lookup_code_verify(identity=PHONE, code=first, address=ADDRESS, now=when)
    lookup.lookup_code_verify(identity=PHONE, code=second, address=ADDRESS, now=when)


def test_a_phone_gets_one_code_a_minute_and_a_few_an_hour(capsys, settings):
    settings.TICKETS_LOOKUP_SENDS_PER_HOUR = 3
    send(capsys)
    with pytest.raises(LookupRefused, match="wait a minute") as refused:
        send(capsys, now=T0 + datetime.timedelta(seconds=30))
    assert refused.value.status == 429
    send(capsys, now=T0 + datetime.timedelta(seconds=61))
    send(capsys, now=T0 + datetime.timedelta(seconds=122))
    with pytest.raises(LookupRefused, match="Too many codes have been sent"):
        send(capsys, now=T0 + datetime.timedelta(seconds=183))
    # Another phone from the same address is not held up; the next hour this one may again.
    send(capsys, Identity("phone", "13900001234"), now=T0 + datetime.timedelta(seconds=184))
    send(capsys, now=T0 + datetime.timedelta(hours=1, seconds=1))
    assert LookupCode.objects.count() == 5


def test_one_address_may_ask_for_a_limited_number_of_codes_an_hour(capsys, settings):
    settings.TICKETS_LOOKUP_SENDS_PER_ADDRESS_PER_HOUR = 3
    for n in range(3):
        send(capsys, Identity("phone", f"1380000000{n}"), now=T0 + datetime.timedelta(seconds=n))
    with pytest.raises(LookupRefused, match="from this network") as refused:
        send(capsys, Identity("phone", "13800000009"), now=T0 + datetime.timedelta(seconds=5))
    assert refused.value.status == 429
    # Another address is counted on its own.
    send(
        capsys,
        Identity("phone", "13800000009"),
        now=T0 + datetime.timedelta(seconds=6),
        address="198.51.100.1",
    )
    assert LookupCode.objects.count() == 4


def test_a_phone_number_gets_a_text_and_never_an_email(capsys, ticket_types):
    book(whole_day_slot(timezone.localdate() + datetime.timedelta(days=3)), ticket_types)
    mail.outbox.clear()
    send(capsys)
    assert mail.outbox == []


def test_an_email_address_gets_its_code_by_email_in_the_tourists_language(capsys):
    identity = lookup.lookup_identity(" Visitor@Example.com ")
    assert identity == Identity("email", "visitor@example.com")
    lookup.lookup_code_send(identity=identity, address=ADDRESS, language="en", now=T0)
    assert capsys.readouterr().out == ""  # no text message
    [message] = mail.outbox
    assert message.to == ["visitor@example.com"]
    assert message.subject.startswith("Your code to find your tickets")
    code = code_from(message.body)
    lookup.lookup_code_verify(identity=identity, code=code, address=ADDRESS, now=T0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("138 0000 1234", Identity("phone", "13800001234")),
        ("+86 138-0000-1234", Identity("phone", "13800001234")),
        ("+852 9123 4567", Identity("phone", "+85291234567")),
    ],
)
def test_phone_numbers_are_normalised_for_lookup(typed, expected):
    assert lookup.lookup_identity(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "", "someone@", "电话"])
def test_a_wrong_phone_or_address_is_refused_with_a_message(typed):
    with pytest.raises(LookupRefused) as refused:
        lookup.lookup_identity(typed)
    assert refused.value.status == 422 and refused.value.message


def test_orders_found_are_the_upcoming_ones_of_that_phone_however_it_was_typed(ticket_types):
    today = timezone.localdate()
    soon = whole_day_slot(today + datetime.timedelta(days=3))
    later = whole_day_slot(today + datetime.timedelta(days=10))
    mine_later = book(later, ticket_types, phone="+86 138-0000-1234")
    mine_soon = book(soon, ticket_types, phone="138 0000 1234")
    cancelled = book(soon, ticket_types)
    services.order_cancel(order=cancelled)
    book(soon, ticket_types, phone="13900001234")  # same last four digits, another phone
    book(soon, ticket_types, phone="+852 1380 0001 234".replace(" ", ""))
    tomorrow = book(whole_day_slot(today + datetime.timedelta(days=1)), ticket_types)

    found = lookup.lookup_orders(identity=PHONE, today=today)
    assert [o.reference for o in found] == [
        tomorrow.reference,
        mine_soon.reference,
        mine_later.reference,
    ]
    # Once its day has gone, an order is no longer upcoming.
    found = lookup.lookup_orders(identity=PHONE, today=today + datetime.timedelta(days=2))
    assert [o.reference for o in found] == [mine_soon.reference, mine_later.reference]


def test_orders_found_by_email_ignore_case(ticket_types):
    slot = whole_day_slot(timezone.localdate() + datetime.timedelta(days=3))
    mine = book(slot, ticket_types, phone="13700000000", email="Visitor@Example.com")
    book(slot, ticket_types, phone="13700000000", email="other@example.com")
    found = lookup.lookup_orders(identity=Identity("email", "visitor@example.com"))
    assert [o.pk for o in found] == [mine.pk]


def test_an_order_is_cancelled_within_the_cut_off_and_its_places_return(ticket_types, settings):
    settings.TICKETS_CANCEL_CUTOFF_HOURS = 24
    slot = SlotFactory(date=timezone.localdate() + datetime.timedelta(days=5), capacity=10)
    order = book(slot, ticket_types, n=3)
    slot.refresh_from_db()
    assert slot.taken == 3
    lookup.lookup_order_cancel(identity=PHONE, reference=order.reference)
    order.refresh_from_db()
    slot.refresh_from_db()
    assert (order.status, slot.taken) == (Order.Status.CANCELLED, 0)


def test_an_order_past_the_cut_off_is_not_cancelled(ticket_types, settings):
    settings.TICKETS_CANCEL_CUTOFF_HOURS = 24
    slot = SlotFactory(date=timezone.localdate() + datetime.timedelta(days=5), capacity=10)
    order = book(slot, ticket_types, n=2)
    deadline = services.cancellation_deadline(order)
    with pytest.raises(LookupRefused, match="24"):
        lookup.lookup_order_cancel(
            identity=PHONE, reference=order.reference, now=deadline + datetime.timedelta(minutes=1)
        )
    order.refresh_from_db()
    slot.refresh_from_db()
    assert (order.status, slot.taken) == (Order.Status.RESERVED, 2)


def test_someone_elses_order_cannot_be_cancelled_by_its_reference(ticket_types):
    slot = whole_day_slot(timezone.localdate() + datetime.timedelta(days=5))
    theirs = book(slot, ticket_types, phone="13700000000")
    with pytest.raises(LookupRefused) as refused:
        lookup.lookup_order_cancel(identity=PHONE, reference=theirs.reference)
    assert refused.value.status == 404
    theirs.refresh_from_db()
    assert theirs.status == Order.Status.RESERVED


# --- the pages ------------------------------------------------------------------------


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def ask_and_read(client, capsys, contact: str):
    response = client.post(reverse("tickets:find"), {"contact": contact}, follow=True)
    return response, code_from(capsys.readouterr().out)


def test_the_page_answers_alike_whether_or_not_the_phone_has_orders(capsys, ticket_types):
    book(whole_day_slot(timezone.localdate() + datetime.timedelta(days=3)), ticket_types)
    # Same masked form (138****1234), one with an order and one without.
    with_orders, _ = ask_and_read(Client(), capsys, "13800001234")
    without, _ = ask_and_read(Client(), capsys, "13812341234")
    assert with_orders.status_code == without.status_code == 200
    assert with_orders.redirect_chain == without.redirect_chain
    # The pages differ only in the number the tourist typed (kept for "send a new code").
    assert without_csrf(with_orders.content.decode()).replace("13800001234", "…") == without_csrf(
        without.content.decode()
    ).replace("13812341234", "…")
    assert LookupCode.objects.count() == 2  # each got a code


def test_with_the_code_the_tourist_sees_and_cancels_an_order(capsys, ticket_types):
    slot = whole_day_slot(timezone.localdate() + datetime.timedelta(days=5))
    order = book(slot, ticket_types)
    client = Client()
    response, code = ask_and_read(client, capsys, "+86 138 0000 1234")
    assert "138****1234" in response.content.decode()
    # Before the code, the list is out of reach.
    assert client.get(reverse("tickets:find_orders")).status_code == 302

    wrong = client.post(reverse("tickets:find_code"), {"code": "abc"})
    assert wrong.status_code == 422
    response = client.post(reverse("tickets:find_code"), {"code": code}, follow=True)
    page = response.content.decode()
    assert order.reference in page
    assert reverse("tickets:order", kwargs={"token": order.token}) in page

    response = client.post(
        reverse("tickets:find_cancel", kwargs={"reference": order.reference}), follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.reference in response.content.decode()  # named in the message
    assert "cancel-" not in response.content.decode()


def test_the_orders_found_list_their_tickets_as_chinese_writes_a_list(capsys, ticket_types):
    slot = whole_day_slot(timezone.localdate() + datetime.timedelta(days=5))
    services.order_create(
        slot_id=slot.pk,
        quantities={ticket_types.adult.pk: 2, ticket_types.child.pk: 1},
        contact=services.Contact("王小花", "138 0000 1234", ""),
        provider=GateProvider(),
    )
    client = Client()
    _response, code = ask_and_read(client, capsys, "+86 138 0000 1234")

    client.post(reverse("tickets:find_code"), {"code": code})
    with translation.override("zh-hans"):
        page = client.get(reverse("tickets:find_orders"))

    assert "成人票 × 2、儿童票 × 1" in page.content.decode()


def test_the_verified_phone_is_remembered_for_a_while_and_sign_out_ends_it(
    capsys, ticket_types, settings
):
    settings.TICKETS_LOOKUP_SESSION_MINUTES = 30
    client = Client()
    _, code = ask_and_read(client, capsys, "13800001234")
    client.post(reverse("tickets:find_code"), {"code": code})
    assert client.get(reverse("tickets:find_orders")).status_code == 200
    assert client.get(reverse("tickets:find")).url == reverse("tickets:find_orders")

    session = client.session
    session["tickets_lookup"]["until"] = timezone.now().timestamp() - 1
    session.save()
    assert client.get(reverse("tickets:find_orders")).url == reverse("tickets:find")

    client2 = Client()
    _, code = ask_and_read(client2, capsys, "13800005678")
    client2.post(reverse("tickets:find_code"), {"code": code})
    assert client2.get(reverse("tickets:find_orders")).status_code == 200
    client2.post(reverse("tickets:find_sign_out"))
    assert client2.get(reverse("tickets:find_orders")).status_code == 302


def test_a_refused_send_is_a_message_not_an_error_page(capsys, settings, monkeypatch):
    settings.TICKETS_LOOKUP_SENDS_PER_ADDRESS_PER_HOUR = 1
    # The limit counts by the clock's hour: both sends fall in one, however late it is now.
    half_past = timezone.now().replace(minute=30)
    monkeypatch.setattr(timezone, "now", lambda: half_past)
    client = Client()
    client.post(reverse("tickets:find"), {"contact": "13800001234"})
    response = client.post(reverse("tickets:find"), {"contact": "13800005678"})
    assert response.status_code == 429
    assert "from this network" in response.content.decode()
    bad = client.post(reverse("tickets:find"), {"contact": "12345"})
    assert bad.status_code == 422
