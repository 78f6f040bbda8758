"""gunicorn settings, read from the working directory: `gunicorn config.wsgi`.

Four threads a worker by default. A tourist's booking pages are mostly Python: with 16
threads a worker's threads took turns at the interpreter's lock and at Django's locked
locals, and each order cost two-thirds more CPU (benchmarks/checkout.py: 165 ms of CPU an
order with 16 threads, 99 ms with 4; 1,382 tickets a minute against 2,534).

The workers are gunicorn's threaded workers that take a new connection at once only while
a thread is free, and at most one every 20 ms while busy (``config/workers.py``): clients
that connect together spread over the workers instead of all landing on the first one
awake. With them, 4 threads also carry the partners' API past its goal
(benchmarks/tickets.py: about 12,700 tickets a minute with 1,000,000 past orders).
"""

import contextlib
import ctypes
import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "config.workers.BalancedThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that no slow leak grows without bound.
# GUNICORN_MAX_REQUESTS=0 switches recycling off, so the memory benchmark can
# measure a worker's own size over more requests than the recycling limit.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None
# The arbiter imports the site once and forks the workers from it: they share the imported
# code copy-on-write instead of each holding its own copy. Code changes need a restart
# (not a HUP) to show.
preload_app = True

# glibc gives each thread that meets a busy heap an arena of its own, up to 8 per core, and
# memory freed in one arena is not reused by another: with 16 threads a worker's heap grew
# by half again over a few thousand requests. Two arenas keep it compact
# (benchmarks/memory.py). Set here, before the workers are forked, so that
# every way of starting gunicorn gets it; MALLOC_ARENA_MAX in the environment still wins.
# Likewise a large block freed (an image decoded for a rendition, tens of MiB) raises
# glibc's threshold for giving blocks their own mapping, so the next ones come from the heap
# and stay in the worker after they are freed. A fixed threshold of 1 MiB hands them back.
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8  # mallopt's parameters, from glibc's malloc.h
# Not glibc: another allocator, nothing to set.
with contextlib.suppress(OSError, AttributeError):
    _libc = ctypes.CDLL(None)
    if "MALLOC_ARENA_MAX" not in os.environ:
        _libc.mallopt(_M_ARENA_MAX, 2)
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        _libc.mallopt(_M_MMAP_THRESHOLD, 1024 * 1024)


# Request metrics (core/metrics.py): with PROMETHEUS_MULTIPROC_DIR set, every worker writes its
# counts there and /metrics adds them up. The folder is emptied at start, so no count of an
# earlier run lingers, and a worker's live gauges are dropped when it exits.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def when_ready(server):
    # Modules every worker would otherwise import at its first requests, each into memory of
    # its own: the URLconf with every admin view it names (about 7 MiB), the Redis client that
    # the cache opens on first use (about 6 MiB: redis-py imports its asyncio and cluster
    # clients too) and Pillow's format plugins (about 3 MiB). Imported here, in the arbiter,
    # after the site is loaded and before the first fork, the workers share them.
    from django.conf import settings
    from django.urls import reverse
    from PIL import Image

    from tourism.tickets.payments.choice import online_configured

    reverse("healthz")
    Image.init()
    if settings.REDIS_URL:
        import redis  # noqa: F401
    # The payment clients import cryptography (about 7 MiB) only when they sign or verify, so
    # a site without WeChat Pay or Alipay never loads it; with either on, every worker will,
    # so the arbiter loads it once for all of them.
    if {"wechat_pay", "alipay"} & set(online_configured()):
        import cryptography.hazmat.primitives.asymmetric.padding  # noqa: F401


def pre_fork(server, worker):
    # What the arbiter imported stays out of the collector's reach in the workers, so a
    # collection does not write to (and so copy) every page of the shared code.
    gc.freeze()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
