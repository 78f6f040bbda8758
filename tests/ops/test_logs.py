"""Structured logs: one JSON object a line, the request id everywhere, personal data masked."""

import json
import logging
import re
import threading
import uuid

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.test import Client

from core import logs
from tests.site_processes import celery_settings
from tests.tickets.factories import UserFactory, id_number


class JsonLines(logging.Handler):
    """A handler configured as production's: the context filter, the JSON formatter."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(logs.ContextFilter())
        self.setFormatter(logs.JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def objects(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def json_lines():
    """Every log line of the test, as production writes it; request lines on."""
    handler = JsonLines()
    root = logging.getLogger()
    requests_logger = logging.getLogger("huagu.requests")
    old_level = requests_logger.level
    root.addHandler(handler)
    requests_logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        requests_logger.setLevel(old_level)


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def masked_id(number: str) -> str:
    return number[:3] + "*" * 11 + number[-4:]


def test_every_line_of_a_request_carries_the_id_its_response_returns(db, json_lines):
    response = Client().get("/no-such-page-anywhere/")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = json_lines.objects()
    assert {line["logger"] for line in lines} >= {"django.request", "huagu.requests"}
    assert {line["request_id"] for line in lines} == {request_id}
    request_line = next(line for line in lines if line["logger"] == "huagu.requests")
    assert request_line["status_code"] == 404
    assert request_line["path"] == "/no-such-page-anywhere/"
    assert request_line["level"] == "INFO"


@pytest.mark.django_db
def test_two_requests_get_two_ids(db):
    client = Client()

    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_when_sane_and_replaced_when_not(json_lines):
    given = "req-7f3a9c2e-1b4d"
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID=given)
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"forged": 1')

    assert kept["X-Request-ID"] == given
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])
    assert [line["request_id"] for line in json_lines.objects()] == [
        given,
        replaced["X-Request-ID"],
    ]


def test_a_phone_number_and_an_id_number_come_out_masked(json_lines):
    phone = "13912345678"
    number = id_number("19850214")

    logging.getLogger("tourism.tickets").warning("booking for %s, card %s", phone, number)

    (line,) = json_lines.objects()
    assert line["message"] == f"booking for {masked_phone(phone)}, card {masked_id(number)}"
    assert phone not in json_lines.lines[0]
    assert number not in json_lines.lines[0]


def test_phones_as_typed_and_email_addresses_are_masked_too(json_lines):
    logging.getLogger("x").info("电话+86 139-1234-5678 邮箱 wang.xiaohua@example.com")

    (line,) = json_lines.objects()
    assert line["message"] == "电话139****5678 邮箱 w***@example.com"


def test_an_exceptions_text_is_masked(json_lines):
    try:
        raise ValueError("no order for 13812345678")
    except ValueError:
        logging.getLogger("x").exception("lookup failed")

    (line,) = json_lines.objects()
    assert "ValueError: no order for 138****5678" in line["exception"]
    assert "13812345678" not in json_lines.lines[0]


def test_other_numbers_are_left_alone(json_lines):
    logging.getLogger("x").info("took 20261206121644 and 1381234567890123 ms")

    (line,) = json_lines.objects()
    assert line["message"] == "took 20261206121644 and 1381234567890123 ms"


def test_the_order_a_line_names_is_a_field_of_its_own(json_lines):
    logger = logging.getLogger("tourism.tickets.services")
    logger.warning("payment could not be started for %s", "HG-AB23-XY45")
    logger.info("resent", extra={"order": "HG-CD67-ZW89"})
    logger.info("nothing about an order")

    first, second, third = json_lines.objects()
    assert first["order"] == "HG-AB23-XY45"
    assert second["order"] == "HG-CD67-ZW89"
    assert "order" not in third


def test_a_signed_in_users_lines_carry_their_id_never_their_name(db, json_lines):
    user = UserFactory(username="gate.wang", email="wang@huagu.example", is_staff=True)
    client = Client()
    client.force_login(user)

    client.get("/admin/")

    lines = json_lines.objects()
    request_line = next(line for line in lines if line["logger"] == "huagu.requests")
    assert request_line["user_id"] == user.pk
    assert "gate.wang" not in "".join(json_lines.lines)


# --- the request id in tasks --------------------------------------------------------------

seen_in_task: list[tuple[str | None, str | None]] = []
task_ran = threading.Event()


@shared_task(name="tests.ops.test_logs.note_request_id")
def note_request_id():
    """Notes the request id and task name the worker's log lines would carry."""
    seen_in_task.append((logs.request_id_var.get(), logs.task_name_var.get()))
    task_ran.set()


@pytest.fixture
def real_queue():
    """Tasks published to the in-memory broker and run by a worker thread, not at once."""
    seen_in_task.clear()
    task_ran.clear()
    with (
        celery_settings(task_always_eager=False, broker_url="memory://") as app,
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield app


def test_before_publish_puts_the_request_id_in_the_tasks_headers():
    headers = {}
    token = logs.request_id_var.set("abc123def456")
    try:
        logs.add_request_id_to_task(headers=headers)
    finally:
        logs.request_id_var.reset(token)

    assert headers[logs.TASK_HEADER] == "abc123def456"


def test_a_task_queued_in_a_request_carries_its_id_into_the_worker(real_queue):
    request_id = uuid.uuid4().hex
    token = logs.request_id_var.set(request_id)
    try:
        note_request_id.delay()
    finally:
        logs.request_id_var.reset(token)

    assert task_ran.wait(timeout=30), "the worker never ran the task"
    assert seen_in_task == [(request_id, "tests.ops.test_logs.note_request_id")]


def test_a_task_queued_outside_a_request_gets_an_id_of_its_own(real_queue):
    note_request_id.delay()

    assert task_ran.wait(timeout=30), "the worker never ran the task"
    ((request_id, _name),) = seen_in_task
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)


def test_after_a_task_the_worker_forgets_its_request_id():
    task = note_request_id
    task.push_request(**{logs.TASK_HEADER: "from-the-request-1"})
    try:
        logs.task_started(task=task)
        during = logs.request_id_var.get()
        logs.task_ended(task=task)
    finally:
        task.pop_request()

    assert during == "from-the-request-1"
    assert logs.request_id_var.get() is None
