"""The tourist's email leaves the booking request: a worker of the task queue sends it, and
keeps trying while the mail server is down.

These run a real Celery worker in its own process, on Redis, against the test database;
they skip where no Redis answers (a newcomer's laptop), and run in CI.
"""

import os
import queue as queue_module
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
import redis
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.site_processes import CELERY_WORKER, Process, celery_settings, free_port
from tourism.tasks import expire_holds
from tourism.tickets.models import Order, Slot
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.services import Contact, order_create

from .factories import SlotFactory

REDIS_URL = os.environ.get("HUAGU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
READY_SECONDS = 180
DELIVERY_SECONDS = 60


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not redis_answers(),
        reason=f"no Redis at {REDIS_URL}: start one (or set HUAGU_TEST_REDIS_URL) to test the task queue",
    ),
]


def database_url() -> str:
    """The test database, as a URL for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def task_queue():
    """This process queues on Redis, in a queue of its own name, instead of running tasks at once."""
    name = f"huagu-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with celery_settings(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=name):
        yield name
    redis.Redis.from_url(REDIS_URL).delete(name)


def worker_process(*, queue: str, email_url: str) -> Process:
    """``celery worker`` in a process of its own, with the settings a deployment gives it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(),
        "TASKS_BROKER_URL": REDIS_URL,
        "TASKS_QUEUE": queue,
        "EMAIL_URL": email_url,
        "TASKS_RETRY_BACKOFF_SECONDS": "1",
    }
    return Process("worker", CELERY_WORKER, env)


@pytest.fixture
def start_worker():
    workers = []

    def start(**kwargs) -> Process:
        worker = worker_process(**kwargs)
        workers.append(worker)
        worker.wait_for("ready.", seconds=READY_SECONDS)
        return worker

    yield start
    for worker in workers:
        worker.stop()


class Inbox:
    """A mail server on loopback that hands each message it takes to the test."""

    def __init__(self):
        self.messages: queue_module.Queue = queue_module.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.messages.put(envelope)
        return "250 OK"


def book(slot, ticket_types) -> tuple:
    tourist = Client()
    response = tourist.post(
        f"/tickets/?date={slot.date:%Y-%m-%d}",
        {
            "date": f"{slot.date:%Y-%m-%d}",
            "slot": slot.pk,
            f"qty_{ticket_types.adult.pk}": 2,
            "name": "李华",
            "phone": "138 0000 0000",
            "email": "lihua@example.com",
            "confirm": "1",
        },
    )
    return response, Order.objects.get()


def subject_of(envelope) -> str:
    return str(make_header(decode_header(message_from_bytes(envelope.content)["Subject"])))


def test_a_booking_succeeds_while_the_mail_server_is_down_and_its_email_goes_when_it_is_back(
    ticket_types, task_queue, start_worker
):
    port = free_port()  # nothing listens here yet: the mail server is down
    worker = start_worker(queue=task_queue, email_url=f"smtp://127.0.0.1:{port}")
    slot = SlotFactory()

    response, order = book(slot, ticket_types)

    assert response.status_code == 302
    assert order.status == Order.Status.RESERVED
    assert mail.outbox == []  # the web process sends nothing itself
    worker.wait_for("order_email_send", seconds=DELIVERY_SECONDS)
    worker.wait_for("Retry in", seconds=DELIVERY_SECONDS)

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        envelope = inbox.messages.get(timeout=DELIVERY_SECONDS)
    finally:
        server.stop()
    assert envelope.rcpt_tos == ["lihua@example.com"]
    assert order.reference in subject_of(envelope)


def test_the_worker_expires_a_hold_that_has_run_out(ticket_types, task_queue, start_worker):

    worker = start_worker(queue=task_queue, email_url="dummymail://")
    slot = SlotFactory()

    class Online(GateProvider):
        online = True  # holds the places until it is paid, or its hold runs out

    order = order_create(
        slot_id=slot.pk,
        quantities={ticket_types.adult.pk: 3},
        contact=Contact("李华", "13800000000", "lihua@example.com"),
        provider=Online(),
    )
    assert order.status == Order.Status.PENDING
    assert Slot.objects.get(pk=slot.pk).taken == 3
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())

    expire_holds.delay()

    worker.wait_for("expire_holds", seconds=DELIVERY_SECONDS)
    worker.wait_for("succeeded", seconds=DELIVERY_SECONDS)
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert Slot.objects.get(pk=slot.pk).taken == 0
