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
max_requests = 5000
max_requests_jitter = 500
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None
