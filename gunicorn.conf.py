"""gunicorn settings, read from the working directory: `gunicorn config.wsgi`.

Threads matter more than processes here: a booking spends most of its time waiting for
PostgreSQL to make its commit durable, and threads let many commits share one flush.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that no slow leak grows without bound.
# GUNICORN_MAX_REQUESTS=0 switches recycling off, so the memory benchmark can
# measure a worker's own size over more requests than the recycling limit.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None


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


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
