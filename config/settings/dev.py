"""Local development: SQLite and local memory unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import SECRET_KEY as _SECRET_KEY
from .base import debug_from_env

DEBUG = True if debug_from_env is None else debug_from_env
SECRET_KEY = _SECRET_KEY or "dev-only-insecure-key-change-me-0f3c9a"
