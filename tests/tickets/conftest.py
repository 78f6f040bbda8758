"""Fixtures for visitor tickets: ticket types, entry slots, and a fake Stripe on loopback."""

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
import stripe
from django.test import Client
from django.utils import translation

from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tests.tickets.fake_stripe import FakeStripe
from tourism.models import TicketType

WEBHOOK_URL = "/payments/stripe/webhook/"


@pytest.fixture
def english_messages():
    """Refusals asserted in their English source text, whatever the Chinese catalog says."""
    with translation.override("en"):
        yield


@pytest.fixture
def ticket_types(db):
    """Adult ¥60 and child ¥30."""
    return SimpleNamespace(
        adult=TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00")),
        child=TicketTypeFactory(
            name="儿童票",
            name_en="Child",
            audience=TicketType.Audience.CHILD,
            price=Decimal("30.00"),
        ),
    )


@pytest.fixture
def partner_api_at_the_gate(settings):
    """For the partner API's tests: no Stripe keys, so orders are reserved and paid at the
    gate; the site-wide API limit out of the way (each key keeps its own)."""
    settings.STRIPE_SECRET_KEY = ""
    settings.API_RATE_LIMIT_PER_MINUTE = 10_000


@pytest.fixture
def slot_factory(db):
    return SlotFactory


@pytest.fixture
def fake_stripe(settings):
    """A running fake Stripe, the settings' keys pointing at it, and the SDK's base address too.

    ``stripe.api_base`` is the address the SDK's module-level calls read on every request;
    the secret key is only in settings, as in production.
    """
    fake = FakeStripe(api_key="sk_test_fake", webhook_secret="whsec_test").start()
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
    settings.STRIPE_PAYMENT_METHODS = ["card", "alipay", "wechat_pay"]
    previous = stripe.api_base
    stripe.api_base = fake.url
    try:
        yield fake
    finally:
        stripe.api_base = previous
        fake.stop()


@pytest.fixture
def stripe_sends(fake_stripe, django_capture_on_commit_callbacks):
    """``stripe_sends(event_type, obj)``: Stripe delivering a signed event to the webhook.

    ``payload``/``header`` override what is posted; after-commit work (emails) runs as
    it would once the request's transaction commits.
    """
    stripe_client = Client()

    def send(
        event_type=None, obj=None, *, payload=None, header=None, event_id=None, timestamp=None
    ):
        if payload is None:
            payload = json.dumps(fake_stripe.event(event_type, obj, event_id=event_id))
        if header is None:
            header = fake_stripe.sign(payload, timestamp=timestamp)
        with django_capture_on_commit_callbacks(execute=True):
            return stripe_client.post(
                WEBHOOK_URL,
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )

    return send


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what a request leaves for after its commit (the emails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def book_in_browser(ticket_types):
    """``book_in_browser(slot, agent=…)``: the public booking form confirmed from a browser of
    its own (its user agent decides how it pays); returns that client and the answer."""

    def post(slot, *, agent, adults=2, children=1, email="lihua@example.com"):
        tourist = Client(HTTP_USER_AGENT=agent)
        response = tourist.post(
            f"/tickets/?date={slot.date:%Y-%m-%d}",
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
        return SimpleNamespace(client=tourist, response=response)

    return post
