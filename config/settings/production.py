"""Production: everything from the environment, HTTPS only, compressed static files."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    HUAGU_ID_KEY,
    LOG_LEVEL,
    REDIS_URL,
    SECRET_KEY,
    SENTRY_DSN,
    SENTRY_ENVIRONMENT,
    SENTRY_TRACES_SAMPLE_RATE,
    STORAGES,
    email_url_from_env,
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
if not email_url_from_env:
    # The console fallback would print every confirmation (names, phones, order links) into
    # the log. A test deployment says so: EMAIL_URL=dummymail:// or consolemail://.
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in production (smtp+tls://…, or dummymail:// for a test "
        "deployment that sends no email)."
    )

HUAGU_ENVIRONMENT = "production"
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = ssl_redirect_from_env
# Prometheus scrapes each host's gunicorn directly, inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
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

# One JSON object a line, with the request id, user id and order, personal data masked
# (core/logs.py); a line per request from huagu.requests.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"huagu.requests": {"level": "INFO"}},
}

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from core.logs import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        send_default_pii=False,
        before_send=sentry_before_send,
        before_send_transaction=sentry_before_send,
    )
