"""Production: everything from the environment, HTTPS only, compressed static files."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    HUAGU_ID_KEY,
    REDIS_URL,
    SECRET_KEY,
    STORAGES,
    hsts_seconds_from_env,
    media_s3_bucket,
    media_s3_custom_domain,
    media_s3_endpoint,
    media_s3_region,
    ssl_redirect_from_env,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
if not HUAGU_ID_KEY:
    # Visitors' ID numbers are sealed with it; a key made up at start would lose them all.
    raise ImproperlyConfigured("HUAGU_ID_KEY must be set in production.")

HUAGU_ENVIRONMENT = "production"
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = ssl_redirect_from_env
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = hsts_seconds_from_env
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if media_s3_bucket:
    # Credentials come from the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    # variables, read by the S3 client itself; install with `pip install ".[s3]"`.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": media_s3_bucket,
            "endpoint_url": media_s3_endpoint or None,
            "region_name": media_s3_region or None,
            "custom_domain": media_s3_custom_domain or None,
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }

if REDIS_URL:
    # Sessions in the shared cache, backed by the database, so any worker on any host serves any user.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
