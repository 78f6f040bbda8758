"""/metrics: Prometheus text behind a token, with the park's figures counted at scrape time."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from core import metrics
from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets import services
from tourism.tickets.models import Order, Ticket
from tourism.tickets.services import Contact

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-9c1e"


def scrape(token: str | None = TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client().get("/metrics", **headers)


def value(text: str, name: str, **labels) -> float:
    label_text = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
    pattern = re.escape(f"{name}{{{label_text}}}" if labels else name) + r" (\S+)"
    found = re.search(rf"^{pattern}$", text, re.MULTILINE)
    assert found, f"{name} {labels} not in the metrics:\n" + "\n".join(
        line for line in text.splitlines() if name in line
    )
    return float(found.group(1))


def test_no_token_configured_means_no_metrics_page(settings):
    settings.METRICS_TOKEN = ""
    assert scrape().status_code == 404


def test_a_missing_or_wrong_token_is_refused(settings):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(None).status_code == 403
    assert scrape("not-the-token").status_code == 403


def test_orders_tickets_and_check_ins_are_counted_as_the_database_holds_them(settings):
    settings.METRICS_TOKEN = TOKEN
    adult = TicketTypeFactory()
    today = SlotFactory(date=timezone.localdate(), starts_at=None, ends_at=None, capacity=50)
    later = SlotFactory()
    for slot, quantity in [(today, 3), (today, 2), (later, 4)]:
        services.order_create(
            slot_id=slot.pk,
            quantities={adult.pk: quantity},
            contact=Contact("李华", "13800000000", ""),
        )
    first = Ticket.objects.filter(order__slot=today).order_by("pk").first()
    Ticket.objects.filter(pk=first.pk).update(checked_in_at=timezone.now())
    cancelled = Order.objects.filter(slot=later).get()
    Order.objects.filter(pk=cancelled.pk).update(status=Order.Status.CANCELLED)

    text = scrape().content.decode()

    # The figures, counted here independently of the collector's queries.
    reserved = Order.objects.filter(status=Order.Status.RESERVED).count()
    assert (reserved, value(text, "huagu_orders", status="reserved")) == (2, 2.0)
    assert value(text, "huagu_orders", status="cancelled") == 1.0
    assert value(text, "huagu_orders", status="paid") == 0.0
    assert value(text, "huagu_tickets", status="admitted") == 1.0
    assert value(text, "huagu_tickets", status="reserved") == 3 + 2 - 1
    assert value(text, "huagu_tickets", status="cancelled") == 4.0
    assert value(text, "huagu_tickets_today") == 5.0
    assert value(text, "huagu_checkins_today") == 1.0


def test_requests_are_counted_by_view(settings):
    settings.METRICS_TOKEN = TOKEN
    before = scrape().content.decode()
    count = lambda text: (  # noqa: E731
        value(text, "huagu_http_requests_total", view="healthz", method="GET", status="200")
        if 'view="healthz"' in text
        else 0.0
    )

    for _ in range(3):
        assert Client().get("/healthz").status_code == 200

    assert count(scrape().content.decode()) == count(before) + 3


def test_task_failures_counted_by_the_worker_show_in_the_metrics(settings):
    settings.METRICS_TOKEN = TOKEN

    metrics.task_count_add(kind="failures", task="tourism.tasks.order_email_send")
    metrics.task_count_add(kind="failures", task="tourism.tasks.order_email_send")
    metrics.task_count_add(kind="retries", task="tourism.tasks.order_email_send")

    text = scrape().content.decode()
    assert value(text, "huagu_task_failures_total", task="tourism.tasks.order_email_send") == 2.0
    assert value(text, "huagu_task_retries_total", task="tourism.tasks.order_email_send") == 1.0
