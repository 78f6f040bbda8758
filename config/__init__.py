# The task queue's application is loaded with Django, so that ``task.delay()`` anywhere in
# the project sends to the configured broker.
from .celery import app as celery_app

__all__ = ("celery_app",)
