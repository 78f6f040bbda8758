"""Settings for the test suite: fast hashing, local memory, no real email."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES
from .base import SECRET_KEY as _SECRET_KEY

DEBUG = False
SECRET_KEY = _SECRET_KEY or "test-only-insecure-key-0b1d2c"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run at once, in the process that queues them (after the commit, as on a worker);
# the tests of the queue itself run a real worker (tests/ops/test_task_queue.py).
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
# Eager tasks would make seven renditions of every image a test uploads; the test of it turns it on.
IMAGES_RENDITIONS_ON_UPLOAD = False
ALLOWED_HOSTS = ["*"]
# Sign-in throttling stays on, counted in the test database; its log lines are left out.
AXES_VERBOSE = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads in the concurrency tests then meet SQLite's
    # real write lock and busy timeout, as the site's workers do.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"huagu-test-{os.getpid()}.sqlite3")
    }
