"""Paying for tickets with Stripe Checkout, against a fake Stripe the real SDK talks to.

The tourist books through the public pages; Stripe's side is played by the fake
(``fake_stripe.complete`` is the tourist paying on Stripe's page) and by webhook events
signed here with the webhook secret, as Stripe signs them.
"""

import datetime
import json
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
import stripe
from django.core import mail
from django.utils import timezone

from tests.tickets.factories import TicketTypeFactory
from tourism.models import TicketType
from tourism.tickets import services
from tourism.tickets.models import Order, Payment, ProcessedEvent, Refund, Slot
from tourism.tickets.payments.stripe import StripeProvider

WEBHOOK_URL = "/payments/stripe/webhook/"


@pytest.fixture
def slot(slot_factory):
    return slot_factory(capacity=10)


@pytest.fixture
def book(client, ticket_types):
    """``book(slot, adults=2, children=1, language="zh-hans")``: the public booking form, confirmed."""

    def post(slot, *, adults=2, children=1, language="zh-hans", email="lihua@example.com"):
        prefix = "/en" if language == "en" else ""
        return client.post(
            f"{prefix}/tickets/?date={slot.date:%Y-%m-%d}",
            {
                "date": f"{slot.date:%Y-%m-%d}",
                "slot": slot.pk,
                f"qty_{ticket_types.adult.pk}": adults,
                f"qty_{ticket_types.child.pk}": children,
                "name": "李华",
                "phone": "138 0000 0000",
                "email": email,
                "confirm": "1",
            },
        )

    return post


def only_order() -> Order:
    return Order.objects.select_related("slot").get()


def session_of(order: Order) -> str:
    return order.payments.get(provider="stripe").provider_reference


@pytest.fixture
def paid_order(book, slot, fake_stripe, stripe_sends):
    """Two adults and a child, paid on Stripe and confirmed by its webhook."""
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    assert stripe_sends("checkout.session.completed", session).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    mail.outbox.clear()
    return order


# --- opening the Checkout Session -------------------------------------------------------


def test_booking_with_stripe_keys_sends_the_tourist_to_checkout_and_holds_past_the_session(
    book, slot, ticket_types, fake_stripe
):
    response = book(slot, adults=2, children=1)

    order = only_order()
    payment = order.payments.get()
    session = fake_stripe.sessions[payment.provider_reference]
    assert response.status_code == 302
    assert response["Location"] == session["url"]
    assert session["url"].startswith(f"{fake_stripe.url}/c/pay/cs_test_")
    assert (order.status, order.provider, order.total) == (Order.Status.PENDING, "stripe", 150)
    assert Slot.objects.get(pk=slot.pk).taken == 3
    assert (payment.provider, payment.amount, payment.redirect_url) == (
        "stripe",
        150,
        session["url"],
    )
    # The places stay held at least a minute after Stripe stops taking the payment, and
    # the fake, like Stripe, refused any session shorter than 30 minutes.
    session_ends = datetime.datetime.fromtimestamp(session["expires_at"], datetime.UTC)
    assert order.hold_expires_at >= session_ends + datetime.timedelta(seconds=60)
    assert session["expires_at"] - session["created"] >= 30 * 60

    [create] = fake_stripe.calls_to("POST", "/v1/checkout/sessions")
    assert create.idempotency_key == f"checkout-{order.reference}"
    assert create.api_key == "sk_test_fake"
    assert stripe.api_key is None  # the key travels with each call, never set globally
    sent = create.params
    assert (sent["mode"], sent["currency"], sent["locale"]) == ("payment", "cny", "zh")
    assert sent["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert sent["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    assert (sent["customer_email"], sent["client_reference_id"]) == (
        "lihua@example.com",
        order.reference,
    )
    assert sent["metadata"] == {"order_reference": order.reference}
    assert sent["success_url"] == f"http://testserver/tickets/order/{order.token}/?paid=1"
    assert sent["cancel_url"] == f"http://testserver/tickets/order/{order.token}/"
    items = {i["price_data"]["product_data"]["name"].split(" · ")[0]: i for i in sent["line_items"]}
    assert items["成人票"]["quantity"] == "2"
    assert items["成人票"]["price_data"]["unit_amount"] == "6000"  # fen
    assert items["儿童票"]["price_data"]["unit_amount"] == "3000"
    assert session["amount_total"] == 15000


def test_starting_payment_again_for_one_order_reuses_its_checkout_session(book, slot, fake_stripe):
    book(slot)
    order = only_order()

    # A retry (say, after a timeout) sends the same idempotency key: Stripe answers with
    # the session it already made, and the order keeps one payment.
    again = StripeProvider().start_payment(order, base_url="http://testserver/")

    assert again == order.payments.get()
    assert len(fake_stripe.sessions) == 1
    assert len(fake_stripe.calls_to("POST", "/v1/checkout/sessions")) == 2


def test_an_english_booking_opens_checkout_in_english(book, slot, fake_stripe):
    book(slot, language="en")

    order = only_order()
    [create] = fake_stripe.calls_to("POST", "/v1/checkout/sessions")
    assert create.params["locale"] == "en"
    names = sorted(i["price_data"]["product_data"]["name"] for i in create.params["line_items"])
    assert names[0].startswith("Adult · ") and names[1].startswith("Child · ")
    assert create.params["success_url"].endswith(f"/en/tickets/order/{order.token}/?paid=1")


def test_cards_only_send_no_wechat_pay_options(book, slot, fake_stripe, settings):
    settings.STRIPE_PAYMENT_METHODS = ["card"]

    book(slot)

    [create] = fake_stripe.calls_to("POST", "/v1/checkout/sessions")
    assert create.params["payment_method_types"] == ["card"]
    assert "payment_method_options" not in create.params


def test_stripe_unreachable_at_checkout_cancels_the_order_releases_places_and_says_so(
    book, slot, fake_stripe
):
    with fake_stripe.unreachable():
        response = book(slot, language="en")

    assert response.status_code == 422
    assert "Online payment is unavailable just now; nothing was charged." in response.text
    order = only_order()
    assert order.status == Order.Status.CANCELLED
    assert Slot.objects.get(pk=slot.pk).taken == 0
    assert not Payment.objects.exists()


def test_an_order_of_free_tickets_is_confirmed_without_going_to_stripe(
    client, slot, fake_stripe, committed
):
    free = TicketTypeFactory(
        name="免票", name_en="Free", audience=TicketType.Audience.FREE, price=Decimal("0")
    )

    with committed():
        response = client.post(
            f"/tickets/?date={slot.date:%Y-%m-%d}",
            {
                "date": f"{slot.date:%Y-%m-%d}",
                "slot": slot.pk,
                f"qty_{free.pk}": 2,
                "name": "李华",
                "phone": "138 0000 0000",
                "email": "lihua@example.com",
                "confirm": "1",
            },
        )

    order = only_order()
    assert response["Location"] == f"/tickets/order/{order.token}/"
    assert order.status == Order.Status.PAID
    assert order.tickets.count() == 2
    assert len(mail.outbox) == 1
    assert not fake_stripe.calls


def test_an_order_whose_hold_is_too_short_for_checkout_is_not_sent_to_stripe(
    slot, ticket_types, fake_stripe
):
    # Places taken two minutes before payment starts: a session Stripe accepts (30
    # minutes at least) would now outlast the hold.
    order = services.order_create(
        slot_id=slot.pk,
        quantities={ticket_types.adult.pk: 1},
        contact=services.Contact("李华", "13800000000", "lihua@example.com"),
        now=timezone.now() - datetime.timedelta(minutes=2),
    )

    with pytest.raises(services.BookingError):
        services.order_start_payment(order=order, base_url="http://testserver/")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Slot.objects.get(pk=slot.pk).taken == 0
    assert not fake_stripe.calls


# --- the webhook: completion --------------------------------------------------------------


def test_signed_completion_pays_the_order_issues_tickets_and_sends_the_confirmation(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))

    response = stripe_sends("checkout.session.completed", session)

    assert response.status_code == 200
    order.refresh_from_db()
    payment = order.payments.get()
    assert order.status == Order.Status.PAID
    assert order.tickets.count() == 3
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_payment_id == session["payment_intent"]
    [email] = mail.outbox
    assert email.to == ["lihua@example.com"]
    assert order.reference in email.subject
    # The session was fetched again from Stripe rather than taken from the event.
    assert fake_stripe.calls_to("GET", f"/v1/checkout/sessions/{session['id']}")


def test_the_webhook_trusts_stripe_not_the_event_payload(book, slot, fake_stripe, stripe_sends):
    book(slot)
    order = only_order()
    # A correctly signed event whose snapshot says "paid", for a session nobody paid.
    claimed = {
        **fake_stripe.session(session_of(order)),
        "status": "complete",
        "payment_status": "paid",
    }

    response = stripe_sends("checkout.session.completed", claimed)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not order.tickets.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "no header", "body changed after signing", "garbage header"],
)
def test_a_forged_event_is_refused_and_changes_nothing(
    book, slot, fake_stripe, stripe_sends, tamper
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    payload = json.dumps(fake_stripe.event("checkout.session.completed", session))
    header = {
        "wrong secret": fake_stripe.sign(payload, secret="whsec_someone_else"),
        "no header": "",
        "body changed after signing": fake_stripe.sign(payload),
        "garbage header": "t=abc,v1=",
    }[tamper]
    if tamper == "body changed after signing":
        payload = payload.replace('"livemode": false', '"livemode": true')

    response = stripe_sends(payload=payload, header=header)

    assert response.status_code == 400
    assert "error" in response.json()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not ProcessedEvent.objects.exists()
    assert not fake_stripe.calls_to("GET", f"/v1/checkout/sessions/{session['id']}")


def test_a_signed_body_that_is_not_json_is_refused(fake_stripe, stripe_sends):
    response = stripe_sends(payload="{not json", header=fake_stripe.sign("{not json"))

    assert response.status_code == 400
    assert response.json()["error"]


def test_an_event_signed_more_than_five_minutes_ago_is_refused(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))

    response = stripe_sends("checkout.session.completed", session, timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not ProcessedEvent.objects.exists()


def test_a_replayed_event_changes_nothing(book, slot, fake_stripe, stripe_sends):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    payload = json.dumps(fake_stripe.event("checkout.session.completed", session))

    first = stripe_sends(payload=payload)
    # Replayed later with a fresh, valid signature: the event id is what counts.
    replay = stripe_sends(payload=payload, header=fake_stripe.sign(payload))

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json() == {"status": "duplicate"}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.count() == 1
    assert order.tickets.count() == 3
    assert order.log.filter(action="paid").count() == 1
    assert len(mail.outbox) == 1
    assert ProcessedEvent.objects.count() == 1


def test_a_second_event_about_a_paid_session_sends_no_second_email(
    paid_order, fake_stripe, stripe_sends
):
    # Stripe sends completed and async_payment_succeeded for some methods; two ids, one payment.
    session = fake_stripe.session(session_of(paid_order))

    response = stripe_sends("checkout.session.async_payment_succeeded", session)

    assert response.json() == {"status": "already"}
    assert paid_order.tickets.count() == 3
    assert not mail.outbox


def test_stripe_unreachable_during_a_webhook_answers_503_and_the_retry_is_handled(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    payload = json.dumps(fake_stripe.event("checkout.session.completed", session))

    with fake_stripe.unreachable():
        failed = stripe_sends(payload=payload)
    order.refresh_from_db()
    assert failed.status_code == 503
    assert order.status == Order.Status.PENDING
    assert not ProcessedEvent.objects.exists()  # not swallowed: Stripe's retry counts

    retried = stripe_sends(payload=payload)

    assert retried.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


# --- the webhook: expiry, out of order, asynchronous payments --------------------------------


def test_an_expired_session_expires_the_order_and_releases_its_places(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.expire(session_of(order))

    response = stripe_sends("checkout.session.expired", session)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert order.payments.get().status == Payment.Status.EXPIRED
    assert Slot.objects.get(pk=slot.pk).taken == 0


def test_an_expired_event_delivered_after_completion_leaves_the_order_paid(
    paid_order, fake_stripe, stripe_sends
):
    # The snapshot is the session as it was when the (delayed) event was created.
    stale = {**fake_stripe.session(session_of(paid_order)), "status": "expired"}

    response = stripe_sends("checkout.session.expired", stale)

    assert response.status_code == 200
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID
    assert paid_order.payments.get().status == Payment.Status.SUCCEEDED
    assert Slot.objects.get(pk=paid_order.slot_id).taken == 3


def test_a_completion_delivered_after_an_expired_event_still_pays(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    # The expired event arrives first, with a snapshot that says so; Stripe says complete.
    stripe_sends("checkout.session.expired", {**session, "status": "expired"})
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    stripe_sends("checkout.session.completed", session)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(mail.outbox) == 1


def test_an_asynchronous_payment_waits_then_pays(book, slot, fake_stripe, stripe_sends):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order), asynchronous=True)

    waiting = stripe_sends("checkout.session.completed", session)
    order.refresh_from_db()
    assert waiting.json() == {"status": "waiting"}
    assert order.status == Order.Status.PENDING

    stripe_sends(
        "checkout.session.async_payment_succeeded", fake_stripe.succeed_async(session["id"])
    )

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.tickets.count() == 3


def test_a_failed_asynchronous_payment_cancels_the_order_and_releases_its_places(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order), asynchronous=True)
    stripe_sends("checkout.session.completed", session)

    response = stripe_sends(
        "checkout.session.async_payment_failed", fake_stripe.fail_async(session["id"])
    )

    assert response.json() == {"status": "failed"}
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.payments.get().status == Payment.Status.FAILED
    assert Slot.objects.get(pk=slot.pk).taken == 0
    assert not order.tickets.exists()


def test_events_about_other_sessions_and_other_types_are_ignored(db, fake_stripe, stripe_sends):
    not_ours = {"id": "cs_test_not_ours", "object": "checkout.session", "status": "complete"}

    unknown = stripe_sends("checkout.session.completed", not_ours)
    other = stripe_sends("customer.created", {"id": "cus_1", "object": "customer"})

    assert (unknown.status_code, unknown.json()) == (200, {"status": "ignored"})
    assert (other.status_code, other.json()) == (200, {"status": "ignored"})
    assert not fake_stripe.calls


def test_the_webhook_takes_only_post(client, fake_stripe):
    assert client.get(WEBHOOK_URL).status_code == 405


# --- late payment on a full slot ------------------------------------------------------------


@pytest.fixture
def late_payment(book, slot_factory, fake_stripe):
    """Paid on Stripe in the hold's last second; the hold ran out and the slot filled before the webhook.

    Returns the order, its completed session and the slot (3 places, all another tourist's).
    """
    slot = slot_factory(capacity=3)
    book(slot, adults=2, children=1)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    book(slot, adults=3, children=0, email="other@example.com")
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert Slot.objects.get(pk=slot.pk).taken == 3
    return SimpleNamespace(order=order, session=session, slot=slot)


def test_a_payment_after_the_hold_expired_on_a_full_slot_is_refunded_and_the_tourist_told_why(
    client, late_payment, fake_stripe, stripe_sends
):
    late, session = late_payment.order, late_payment.session

    response = stripe_sends("checkout.session.completed", session)

    assert response.json() == {"status": "refunded"}
    late.refresh_from_db()
    payment = late.payments.get()
    assert late.status == Order.Status.REFUNDED
    assert not late.tickets.exists()
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount, refund.reason) == (150, "sold_out_after_hold_expired")
    [refund_call] = fake_stripe.calls_to("POST", "/v1/refunds")
    assert refund_call.idempotency_key == f"refund-{payment.pk}"
    assert refund_call.params["payment_intent"] == session["payment_intent"]
    assert refund_call.params["amount"] == "15000"
    assert refund.provider_reference in fake_stripe.refunds
    assert fake_stripe.charge_of(session["id"])["refunded"] is True
    assert Slot.objects.get(pk=late_payment.slot.pk).taken == 3  # the other tourist's places
    assert mail.outbox[-1].to == ["lihua@example.com"]

    page = client.get(f"/en/tickets/order/{late.token}/")
    assert "in the meantime that time sold out. We have refunded the full amount" in page.text


def test_a_late_refund_stripe_cannot_make_leaves_the_event_to_be_sent_again(
    late_payment, fake_stripe, stripe_sends
):
    payload = json.dumps(fake_stripe.event("checkout.session.completed", late_payment.session))

    with fake_stripe.outage("/v1/refunds"):
        failed = stripe_sends(payload=payload)

    late = late_payment.order
    late.refresh_from_db()
    assert failed.status_code == 503
    assert late.status == Order.Status.EXPIRED
    assert late.payments.get().status == Payment.Status.OPEN
    assert not Refund.objects.exists()
    assert not ProcessedEvent.objects.exists()

    retried = stripe_sends(payload=payload)

    assert retried.json() == {"status": "refunded"}
    late.refresh_from_db()
    assert late.status == Order.Status.REFUNDED
    assert len(fake_stripe.refunds) == 1


def test_a_payment_after_the_hold_expired_keeps_the_order_when_places_are_left(
    book, slot, fake_stripe, stripe_sends
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    book(slot, adults=1, children=0, email="other@example.com")
    services.orders_expire_due()  # the queue's scheduler ends the hold
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED

    stripe_sends("checkout.session.completed", session)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Slot.objects.get(pk=slot.pk).taken == 4
    assert not fake_stripe.calls_to("POST", "/v1/refunds")


# --- cancelling and refunds -------------------------------------------------------------------


def test_a_paid_order_cancelled_before_the_cutoff_is_refunded_on_stripe_and_frees_its_places(
    client, paid_order, fake_stripe, stripe_sends, committed
):
    with committed():
        response = client.post(f"/en/tickets/order/{paid_order.token}/cancel/", follow=True)

    assert "Your booking is cancelled." in response.text
    paid_order.refresh_from_db()
    payment = paid_order.payments.get()
    assert paid_order.status == Order.Status.REFUNDED
    assert Slot.objects.get(pk=paid_order.slot_id).taken == 0
    [refund_call] = fake_stripe.calls_to("POST", "/v1/refunds")
    assert refund_call.idempotency_key == f"refund-{payment.pk}"
    assert refund_call.params["amount"] == "15000"
    refund = Refund.objects.get(payment=payment)
    assert refund.reason == "cancelled_by_tourist"
    assert fake_stripe.refunds[refund.provider_reference]["amount"] == 15000
    # The email speaks the language the tourist booked in.
    assert paid_order.language == "zh-hans"
    assert mail.outbox[-1].subject == f"您的订单 {paid_order.reference} 已退款"

    # Stripe then reports the refund the site made: nothing more happens.
    charge = fake_stripe.charge_of(session_of(paid_order))
    assert stripe_sends("charge.refunded", charge).json() == {"status": "unchanged"}
    assert Refund.objects.count() == 1


def test_cancelling_after_the_cutoff_is_refused_with_a_message(
    client, paid_order, fake_stripe, settings
):
    settings.TICKETS_CANCEL_CUTOFF_HOURS = 8 * 24  # the visit is a week away

    response = client.post(f"/en/tickets/order/{paid_order.token}/cancel/", follow=True)

    assert "Orders can be cancelled up to 192 hours before the visit." in response.text
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID
    assert Slot.objects.get(pk=paid_order.slot_id).taken == 3
    assert not fake_stripe.calls_to("POST", "/v1/refunds")


def test_a_cancellation_stripe_cannot_refund_leaves_the_booking_as_it_was(
    client, paid_order, fake_stripe
):
    with fake_stripe.unreachable():
        response = client.post(f"/en/tickets/order/{paid_order.token}/cancel/", follow=True)

    assert response.status_code == 200
    assert "The refund could not be made just now, so your booking is unchanged." in response.text
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID
    assert Slot.objects.get(pk=paid_order.slot_id).taken == 3
    assert not Refund.objects.exists()


def test_cancelling_an_unpaid_order_closes_its_checkout_session(client, book, slot, fake_stripe):
    book(slot)
    order = only_order()

    client.post(f"/tickets/order/{order.token}/cancel/")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert fake_stripe.session(session_of(order))["status"] == "expired"
    assert order.payments.get().status == Payment.Status.EXPIRED
    assert Slot.objects.get(pk=slot.pk).taken == 0


def test_a_refund_made_in_the_stripe_dashboard_refunds_the_order(
    paid_order, fake_stripe, stripe_sends
):
    charge = fake_stripe.refund_in_dashboard(session_of(paid_order))

    response = stripe_sends("charge.refunded", charge)

    assert response.json() == {"status": "refunded"}
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED
    assert Slot.objects.get(pk=paid_order.slot_id).taken == 0
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason) == (150, "refunded_at_provider")
    assert refund.provider_reference in fake_stripe.refunds


# --- back from Checkout -----------------------------------------------------------------------


def test_returning_from_checkout_pays_the_order_before_the_webhook_arrives(
    client, book, slot, fake_stripe, stripe_sends, committed
):
    book(slot)
    order = only_order()
    session = fake_stripe.complete(session_of(order))

    with committed():
        page = client.get(f"/en/tickets/order/{order.token}/?paid=1")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert page.text.count('class="qr"') == 3
    assert len(mail.outbox) == 1

    # The webhook arriving afterwards finds the work done.
    assert stripe_sends("checkout.session.completed", session).json() == {"status": "already"}
    assert len(mail.outbox) == 1


def test_returning_from_checkout_while_stripe_is_down_shows_the_order_still_awaiting_payment(
    client, book, slot, fake_stripe
):
    book(slot)
    order = only_order()
    fake_stripe.complete(session_of(order))

    with fake_stripe.unreachable():
        page = client.get(f"/en/tickets/order/{order.token}/?paid=1")

    assert page.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
