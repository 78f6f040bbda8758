"""Structured logs: a request id on every line, the user and the order where there is one, and
no personal data.

``RequestIdMiddleware`` takes the proxy's ``X-Request-ID`` when it looks sane (else makes one),
keeps it for the request's log lines and returns it in the response; tasks queued during the
request carry it to the worker in their message headers (``connect_task_signals``).
``ContextFilter``, on a handler, adds the id, the signed-in user's id and the order to every
record and masks phone numbers, ID numbers and email addresses in its message;
``JsonFormatter`` writes one JSON object a line. Production settings use both; development
keeps plain lines.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest
from django.utils.functional import empty

from core.identity import mask_id_number
from core.phones import mask_phone

REQUEST_ID_HEADER = "X-Request-ID"
# The task message header that carries the request id to the worker.
TASK_HEADER = "huagu_request_id"
# A proxy's id is kept only when it is short and plain: it is written into every log line.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# The park's order references (tourism/tickets/models.py: new_order_reference).
ORDER_REFERENCE = re.compile(r"^HG-[0-9A-Z]{4}-[0-9A-Z]{4}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "huagu_request_id", default=None
)
request_var: contextvars.ContextVar = contextvars.ContextVar("huagu_request", default=None)
task_name_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "huagu_task", default=None
)

access_logger = logging.getLogger("huagu.requests")

# --- personal data ----------------------------------------------------------------------

# An 18-character resident ID number, not part of a longer run of digits.
ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
# A mainland mobile number, as typed: 11 digits from 1[3-9], maybe grouped 3-4-4 and with +86.
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def mask_personal_data(text: str) -> str:
    """``text`` with ID numbers, mainland mobile numbers and email addresses' local parts masked,
    as the screens mask them (``core.identity.mask_id_number``, ``core.phones.mask_phone``)."""
    if not text:
        return text
    text = ID_NUMBER.sub(lambda match: mask_id_number(match.group(0).upper()), text)
    text = MOBILE.sub(lambda match: mask_phone("".join(match.groups())), text)
    return EMAIL.sub(lambda match: f"{match.group(1)[:1]}***@{match.group(2)}", text)


def mask_structure(value):
    """``value`` (an error report's dicts, lists and strings) with every string masked."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {key: mask_structure(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_structure(item) for item in value)
    return value


def sentry_before_send(event, hint):
    """An error report with personal data masked and the request id as a tag."""
    event = mask_structure(event)
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


# --- the request id ---------------------------------------------------------------------


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(value: str | None) -> str:
    """The proxy's request id when it looks sane, else a new one."""
    if value and SANE_REQUEST_ID.match(value):
        return value
    return new_request_id()


def signed_in_user_id(request) -> int | None:
    """The id of the request's user if the request has already looked them up; never a query
    of its own (a log line must not hit the database)."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class RequestIdMiddleware:
    """Gives each request an id for its log lines and answers it in ``X-Request-ID``; logs one
    line per request to ``huagu.requests`` (on in production) with its path, status and time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        request_token = request_var.set(request)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "status_code": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_var.reset(request_token)
            request_id_var.reset(id_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Pages about one order name it in their URL (``<reference>``): its lines carry it.
        reference = view_kwargs.get("reference")
        if isinstance(reference, str) and ORDER_REFERENCE.match(reference):
            request.order_reference = reference


# --- log records ------------------------------------------------------------------------


def record_order(record: logging.LogRecord) -> str | None:
    """The order a line is about: ``extra={"order": reference}``, or an order reference among
    the message's arguments."""
    order = getattr(record, "order", None)
    if order:
        return str(order)
    arguments = record.args if isinstance(record.args, tuple) else ()
    for argument in arguments:
        if isinstance(argument, str) and ORDER_REFERENCE.match(argument):
            return argument
    return None


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id``, ``order``, ``path`` and ``task`` to every record, and
    masks personal data in its message (on a handler, so it sees every line it writes)."""

    def filter(self, record):
        # Django logs a 4xx or 5xx response after the middleware is done, with the request.
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            request = request_var.get()
        record.request_id = (
            getattr(record, "request_id", None)
            or getattr(request, "request_id", None)
            or request_id_var.get()
        )
        record.user_id = signed_in_user_id(request) if request is not None else None
        record.path = request.path if request is not None else None
        record.order = record_order(record) or getattr(request, "order_reference", None)
        record.task = getattr(record, "task", None) or task_name_var.get()
        if not getattr(record, "masked", False):
            record.msg = mask_personal_data(record.getMessage())
            record.args = None
            record.masked = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and what ``ContextFilter`` adds;
    status and duration on request lines, the exception's text when there is one."""

    OPTIONAL = ("user_id", "order", "path", "task", "status_code", "duration_ms")

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for name in self.OPTIONAL:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value if isinstance(value, int | float) else str(value)
        if record.exc_info:
            line["exception"] = mask_personal_data(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = mask_personal_data(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


# --- the request id in tasks ------------------------------------------------------------


def add_request_id_to_task(headers=None, **kwargs):
    """``before_task_publish``: the queuing request's id goes with the task."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def task_started(task_id=None, task=None, **kwargs):
    """``task_prerun``: the task's lines carry the id of the request that queued it (a new
    one for a periodic job), and the task's name."""
    if task is None:
        return
    request_id = task.request.get(TASK_HEADER) or request_id_var.get() or new_request_id()
    task.request.huagu_log_tokens = (
        request_id_var.set(request_id),
        task_name_var.set(task.name),
    )


def task_ended(task_id=None, task=None, **kwargs):
    """``task_postrun``: what ``task_started`` set is put back (an eager task runs inside the
    request that queued it)."""
    tokens = getattr(task.request, "huagu_log_tokens", None) if task is not None else None
    if not tokens:
        return
    request_token, name_token = tokens
    task.request.huagu_log_tokens = None
    task_name_var.reset(name_token)
    request_id_var.reset(request_token)


def connect_task_signals() -> None:
    """Connect the queue's signals, in the web process and the worker alike."""
    from celery import signals

    signals.before_task_publish.connect(
        add_request_id_to_task, weak=False, dispatch_uid="huagu-logs-publish"
    )
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="huagu-logs-prerun")
    signals.task_postrun.connect(task_ended, weak=False, dispatch_uid="huagu-logs-postrun")
