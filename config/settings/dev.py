"""Local development: SQLite and local memory unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import SECRET_KEY as _SECRET_KEY
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = _SECRET_KEY or "dev-only-insecure-key-change-me-0f3c9a"
