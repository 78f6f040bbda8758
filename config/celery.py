"""The task queue's application: ``celery -A config worker``.

Tasks live in each app's ``tasks.py`` (found by autodiscovery); the queue's settings are the
``CELERY_*`` names in ``config/settings/base.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("huagu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
