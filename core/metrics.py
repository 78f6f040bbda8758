"""Prometheus metrics at ``/metrics``, behind ``METRICS_TOKEN``.

Requests are counted and timed by view (``RequestMetricsMiddleware``); with gunicorn's several
workers, ``PROMETHEUS_MULTIPROC_DIR`` makes every worker's counts add up (prometheus_client's
multiprocess mode; gunicorn.conf.py clears the folder at start and marks dead workers). The
park's own figures are read at scrape time, once per scrape, whichever worker answers: orders
and tickets by status from one aggregate query each, today's check-ins against today's
tickets, the task queue's depth from the broker, and the tasks that failed or were retried,
which the worker counts in the shared cache (Redis in production) so the web can read them.
"""

import hmac
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "huagu_http_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "huagu_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

TASK_COUNT_KEY = "huagu:metrics:tasks:{kind}:{task}"
TASK_KINDS = ("failures", "retries")


def view_label(request) -> str:
    """The URL pattern's name (or the view's dotted path): a bounded set, unlike paths."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Counts and times every request by view; two metric updates a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        return response


# --- task failures, counted by the worker --------------------------------------------------


def task_count_add(*, kind: str, task: str) -> None:
    """One more failure or retry of ``task``, in the cache every process shares."""
    key = TASK_COUNT_KEY.format(kind=kind, task=task)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 1, timeout=None)


def task_counts() -> dict[str, dict[str, int]]:
    """Failures and retries so far of every task the project defines, by kind and task."""
    from celery import current_app

    current_app.loader.import_default_modules()
    names = sorted(name for name in current_app.tasks if not name.startswith("celery."))
    keys = {
        (kind, name): TASK_COUNT_KEY.format(kind=kind, task=name)
        for kind in TASK_KINDS
        for name in names
    }
    found = cache.get_many(list(keys.values()))
    return {
        kind: {name: int(found.get(keys[kind, name], 0)) for name in names} for kind in TASK_KINDS
    }


def task_failed(sender=None, **kwargs):
    """``task_failure``: a task failed for good (its retries, if any, spent)."""
    task_count_add(kind="failures", task=getattr(sender, "name", str(sender)))


def task_retried(sender=None, **kwargs):
    """``task_retry``: a task failed and will be tried again."""
    task_count_add(kind="retries", task=getattr(sender, "name", str(sender)))


def connect_task_signals() -> None:
    from celery import signals

    signals.task_failure.connect(task_failed, weak=False, dispatch_uid="huagu-metrics-failure")
    signals.task_retry.connect(task_retried, weak=False, dispatch_uid="huagu-metrics-retry")


# --- the park's figures, read at scrape time -------------------------------------------------


def ticket_states():
    """Tickets by state: refunded, admitted, else their order's status; one query."""
    from django.db.models import Case, CharField, Count, F, Value, When

    from tourism.tickets.models import Ticket

    rows = (
        Ticket.objects.annotate(
            state=Case(
                When(refunded_at__isnull=False, then=Value("refunded")),
                When(checked_in_at__isnull=False, then=Value("admitted")),
                default=F("order__status"),
                output_field=CharField(),
            )
        )
        .values("state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["state"]: row["count"] for row in rows}


class ParkCollector:
    """The park's orders, tickets, gate and task queue, read when Prometheus scrapes."""

    def collect(self):
        from django.db.models import Count, Q
        from django.utils import timezone

        from core.tasks import queue_depth
        from tourism.tickets.models import Order, Ticket

        statuses = list(Order.Status.values)
        orders = GaugeMetricFamily("huagu_orders", "Orders by status.", labels=["status"])
        counts = dict(Order.objects.values_list("status").annotate(count=Count("pk")).order_by())
        for status in statuses:
            orders.add_metric([status], counts.get(status, 0))
        yield orders

        tickets = GaugeMetricFamily(
            "huagu_tickets",
            "Tickets by state: admitted, refunded, else their order's status.",
            labels=["status"],
        )
        states = ticket_states()
        for state in [*statuses, "admitted"]:
            tickets.add_metric([state], states.get(state, 0))
        yield tickets

        today = Ticket.objects.filter(order__slot__date=timezone.localdate()).aggregate(
            valid=Count("pk", filter=Q(order__status__in=Order.HOLDING, refunded_at__isnull=True)),
            admitted=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
        yield GaugeMetricFamily(
            "huagu_tickets_today",
            "Tickets for today's visits still valid or admitted.",
            value=today["valid"],
        )
        yield GaugeMetricFamily(
            "huagu_checkins_today",
            "Tickets for today admitted at the gate.",
            value=today["admitted"],
        )

        depth = queue_depth()
        yield GaugeMetricFamily(
            "huagu_task_broker_up",
            "1 when the task queue's broker answered.",
            value=int(depth is not None),
        )
        if depth is not None:
            yield GaugeMetricFamily(
                "huagu_task_queue_depth", "Tasks waiting in the queue.", value=depth
            )

        counted = task_counts()
        for kind, help_text in (
            ("failures", "Tasks that failed for good, by task."),
            ("retries", "Task failures to be tried again, by task."),
        ):
            family = CounterMetricFamily(f"huagu_task_{kind}", help_text, labels=["task"])
            for name, count in counted[kind].items():
                family.add_metric([name], count)
            yield family


PARK_REGISTRY = CollectorRegistry(auto_describe=False)
PARK_REGISTRY.register(ParkCollector())


def process_metrics() -> bytes:
    """The request metrics: every gunicorn worker's, added up, in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def token_matches(request) -> bool:
    expected = f"Bearer {settings.METRICS_TOKEN}".encode()
    given = request.headers.get("Authorization", "").encode()
    return hmac.compare_digest(given, expected)


@csrf_exempt
@require_GET
def metrics(request):
    """Prometheus text for a scraper with ``Authorization: Bearer <METRICS_TOKEN>``; not found
    while no token is configured, 403 with a missing or wrong one."""
    if not getattr(settings, "METRICS_TOKEN", ""):
        raise Http404
    if not token_matches(request):
        return HttpResponse(status=403, content_type="text/plain; charset=utf-8")
    body = process_metrics() + generate_latest(PARK_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
