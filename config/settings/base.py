"""Settings shared by every environment.

All environment reading happens here, through one ``environ.Env``; the
environment-specific modules only choose defaults and enforce what production
requires.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def pem(value: str) -> str:
    """A key given as PEM text, or as the path of a PEM file."""
    if value and not value.lstrip().startswith("-----"):
        return Path(value).read_text()
    return value


environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Read once, here; dev/test/production decide what a missing value means. Lower-case
# names are plain values, not settings, until an environment module turns them into one.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
debug_from_env = env.bool("DJANGO_DEBUG", default=None)
DEBUG = bool(debug_from_env)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
REDIS_URL = env.str("REDIS_URL", default="")
# The task queue's broker (core/tasks.py): Redis when REDIS_URL is set, else a folder on disk
# that the web process and the worker on one machine share; TASKS_BROKER_URL overrides both.
TASKS_BROKER_URL = env.str("TASKS_BROKER_URL", default="")
# The queue's name on the broker: two sites sharing one Redis give theirs different names.
TASKS_QUEUE = env.str("TASKS_QUEUE", default="celery")
# Seconds before a failed task's first retry; each later retry waits about twice as long.
TASKS_RETRY_BACKOFF_SECONDS = env.int("TASKS_RETRY_BACKOFF_SECONDS", default=30)
TASKS_MAX_RETRIES = env.int("TASKS_MAX_RETRIES", default=8)
# Exports of more rows than this are built by the task queue and downloaded from "My
# exports" (core/export_jobs.py); smaller ones download at once. Those files and their
# jobs are deleted after EXPORTS_KEEP_DAYS days.
EXPORTS_INLINE_MAX_ROWS = env.int("EXPORTS_INLINE_MAX_ROWS", default=500)
EXPORTS_KEEP_DAYS = env.int("EXPORTS_KEEP_DAYS", default=7)
SITE_BASE_URL = env.str("HUAGU_BASE_URL", default="http://127.0.0.1:8000")
# Production refuses to start without EMAIL_URL (the console backend would print tourists'
# names, phones and order links into the log); elsewhere emails are printed.
email_url_from_env = env.str("EMAIL_URL", default="")
EMAIL_URL = email_url_from_env or "consolemail://"
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="花谷 Huagu <tickets@huagu.example>"
)
hsts_seconds_from_env = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
ssl_redirect_from_env = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
# Observability (core/logs.py, core/metrics.py): /metrics answers only with this bearer token;
# errors go to Sentry (production) when SENTRY_DSN is set.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
# S3-compatible object storage for uploaded media, so every host sees the same files.
media_s3_bucket = env.str("MEDIA_S3_BUCKET", default="")
media_s3_endpoint = env.str("MEDIA_S3_ENDPOINT_URL", default="")
media_s3_region = env.str("MEDIA_S3_REGION", default="")
media_s3_custom_domain = env.str("MEDIA_S3_CUSTOM_DOMAIN", default="")
# Backups (core/backup.py): archives go to BACKUP_S3_BUCKET when set (reached with the media's
# endpoint, region and AWS_* credentials), else to BACKUP_DIR; retention keeps the newest of
# each of the last BACKUP_KEEP_DAILY days and BACKUP_KEEP_WEEKLY ISO weeks.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_S3_BUCKET = env.str("BACKUP_S3_BUCKET", default="")
BACKUP_S3_ENDPOINT_URL = media_s3_endpoint
BACKUP_S3_REGION = media_s3_region
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)

# Visitor tickets.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Stripe's API address; only a test deployment talking to a stand-in changes it.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# Checkout payment methods beyond cards, as the merchant's Stripe account offers them.
STRIPE_PAYMENT_METHODS = env.list("STRIPE_PAYMENT_METHODS", default=["card"])
# Where Stripe Checkout's pages are, for the booking page's Content-Security-Policy.
STRIPE_CHECKOUT_ORIGINS = ["https://checkout.stripe.com"]
# WeChat Pay (API v3), on when every merchant setting below is given. Keys are PEM text,
# or the path of a PEM file.
WECHAT_PAY_MCHID = env.str("WECHAT_PAY_MCHID", default="")
WECHAT_PAY_APPID = env.str("WECHAT_PAY_APPID", default="")
# The official account's secret, for the OAuth redirect that gives a tourist's openid.
WECHAT_PAY_APP_SECRET = env.str("WECHAT_PAY_APP_SECRET", default="")
WECHAT_PAY_CERT_SERIAL_NO = env.str("WECHAT_PAY_CERT_SERIAL_NO", default="")
WECHAT_PAY_PRIVATE_KEY = pem(env.str("WECHAT_PAY_PRIVATE_KEY", default=""))
WECHAT_PAY_APIV3_KEY = env.str("WECHAT_PAY_APIV3_KEY", default="")
WECHAT_PAY_PUBLIC_KEY = pem(env.str("WECHAT_PAY_PUBLIC_KEY", default=""))
WECHAT_PAY_PUBLIC_KEY_ID = env.str("WECHAT_PAY_PUBLIC_KEY_ID", default="")
WECHAT_PAY_API_BASE = env.str("WECHAT_PAY_API_BASE", default="https://api.mch.weixin.qq.com")
WECHAT_OAUTH_BASE = env.str("WECHAT_OAUTH_BASE", default="https://open.weixin.qq.com")
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")
# Where the booking form's redirects lead for WeChat Pay (the official account's OAuth and
# the H5 cashier), for the booking page's Content-Security-Policy form-action.
WECHAT_PAY_CHECKOUT_ORIGINS = ["https://open.weixin.qq.com", "https://wx.tenpay.com"]
# Alipay (open platform, RSA2), on when these three are given. Keys: PEM text or a path.
ALIPAY_APP_ID = env.str("ALIPAY_APP_ID", default="")
ALIPAY_APP_PRIVATE_KEY = pem(env.str("ALIPAY_APP_PRIVATE_KEY", default=""))
ALIPAY_PUBLIC_KEY = pem(env.str("ALIPAY_PUBLIC_KEY", default=""))
ALIPAY_GATEWAY = env.str("ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do")
TICKETS_HOLD_MINUTES = env.int("TICKETS_HOLD_MINUTES", default=30)
TICKETS_CANCEL_CUTOFF_HOURS = env.int("TICKETS_CANCEL_CUTOFF_HOURS", default=24)
TICKETS_MAX_PER_ORDER = env.int("TICKETS_MAX_PER_ORDER", default=20)
TICKETS_BOOKING_HORIZON_DAYS = env.int("TICKETS_BOOKING_HORIZON_DAYS", default=90)
TICKETS_LOCK_TIMEOUT_MS = env.int("TICKETS_LOCK_TIMEOUT_MS", default=5000)
# "Find my tickets": one-time codes by text message or email (tourism/tickets/lookup.py).
TICKETS_LOOKUP_CODE_MINUTES = env.int("TICKETS_LOOKUP_CODE_MINUTES", default=10)
TICKETS_LOOKUP_MAX_TRIES = env.int("TICKETS_LOOKUP_MAX_TRIES", default=5)
TICKETS_LOOKUP_SENDS_PER_HOUR = env.int("TICKETS_LOOKUP_SENDS_PER_HOUR", default=5)
TICKETS_LOOKUP_SENDS_PER_ADDRESS_PER_HOUR = env.int(
    "TICKETS_LOOKUP_SENDS_PER_ADDRESS_PER_HOUR", default=20
)
TICKETS_LOOKUP_SESSION_MINUTES = env.int("TICKETS_LOOKUP_SESSION_MINUTES", default=30)
# Text messages (tourism/tickets/sms/): "console" prints them; "tencent" sends them through
# Tencent Cloud SMS with the account's SecretId/SecretKey, SDK app, signature and template.
SMS_PROVIDER = env.str("SMS_PROVIDER", default="console")
TENCENT_SMS_SECRET_ID = env.str("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env.str("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_APP_ID = env.str("TENCENT_SMS_APP_ID", default="")
TENCENT_SMS_SIGN_NAME = env.str("TENCENT_SMS_SIGN_NAME", default="")
TENCENT_SMS_TEMPLATE_ID = env.str("TENCENT_SMS_TEMPLATE_ID", default="")
TENCENT_SMS_REGION = env.str("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_ENDPOINT = env.str("TENCENT_SMS_ENDPOINT", default="https://sms.tencentcloudapi.com/")
# Visitors' ID numbers are encrypted and hashed with keys derived from this secret
# (core/id_crypto.py); development and tests fall back to one derived from SECRET_KEY.
HUAGU_ID_KEY = env.str("HUAGU_ID_KEY", default="")
# Channel-partner API: requests a minute per client address without a key (availability,
# refused keys), and the limit a newly issued API key gets unless the park sets another.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
API_KEY_RATE_LIMIT_PER_MINUTE = env.int("API_KEY_RATE_LIMIT_PER_MINUTE", default=120)

# Sign-in throttling: failures before an account or an address is locked, and for how long.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
axes_cooloff_minutes = env.int("AXES_COOLOFF_MINUTES", default=15)

# Job-creation reports: days that make one full-time equivalent, the least a day's work
# may pay, and the hours in a working day (for hourly rates).
WORKFORCE_FTE_DAYS = env.int("WORKFORCE_FTE_DAYS", default=250)
WORKFORCE_MINIMUM_DAY_PAY = env.str("WORKFORCE_MINIMUM_DAY_PAY", default="80.00")
WORKFORCE_HOURS_PER_DAY = env.str("WORKFORCE_HOURS_PER_DAY", default="8")
# The manager's home screen: a lot without its own reorder level is low on stock when
# fewer plants than this are available (on hand less reserved) while some are on hand.
NURSERY_LOW_STOCK_LEVEL = env.int("NURSERY_LOW_STOCK_LEVEL", default=10)
# Editors publish directly. On: their pages go to the "Moderators approval" workflow,
# and only Moderators (and superusers) publish (tourism/publishing.py).
HUAGU_MODERATION = env.bool("HUAGU_MODERATION", default=False)
# The maps' base layer (core/map_base.py). Empty: the park plan image georeferenced in the
# admin (Settings → Park map), which needs no key and no network. Set a tile service's URL
# template to draw on it instead, with the datum its tiles are drawn in: gcj02 for the
# services licensed in mainland China (Amap, Tencent), wgs84 for Tianditu and OpenStreetMap.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="")
MAP_TILES_DATUM = env.str("MAP_TILES_DATUM", default="gcj02")
MAP_TILES_SUBDOMAINS = env.str("MAP_TILES_SUBDOMAINS", default="")
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default="")
MAP_TILES_MAX_ZOOM = env.int("MAP_TILES_MAX_ZOOM", default=18)

# The deployment this is; load_demo refuses to run in "production" without --force.
HUAGU_ENVIRONMENT = "development"

INSTALLED_APPS = [
    "core",
    "tourism",
    "nursery",
    "workforce",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Content-Security-Policy: the {% csp_nonce %} tag, system checks.
    "csp",
    # Counts failed sign-ins and locks accounts and addresses (tourism/security/logins.py).
    "axes",
    # The API docs page's assets, served from here rather than a CDN.
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: every response, a redirect or an error too, carries its request id and is counted.
    "core.logs.RequestIdMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Browser policies (tourism/security/): scripts and styles, and the camera at the gate.
    "tourism.security.csp.PathPolicyCSPMiddleware",
    "tourism.security.permissions_policy.PermissionsPolicyMiddleware",
    # Anonymous visitors' public pages, whole from the shared cache (tourism/whole_page_cache.py):
    # stored here, outside the middleware that adds cookies and Vary; fetched last.
    "tourism.whole_page_cache.WholePageUpdateMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tourism.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Names the signed-in user in the history of what staff pages change (core/history.py).
    "core.history.ActingUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last but the page cache's fetch, as axes asks: it turns a locked-out sign-in into the
    # lockout page (sign-in pages are never cached whole).
    "axes.middleware.AxesMiddleware",
    "tourism.whole_page_cache.WholePageFetchMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer holds the lock; a busy timeout
    # makes a second writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Query parameters go to the server beside the statement, where Python would otherwise
    # quote each into the SQL, and a statement a connection has run five times is prepared
    # there: an API order costs about a tenth less of a worker's CPU (benchmarks/tickets.py).
    # A pooler that cannot keep prepared statements between transactions (PgBouncer in
    # transaction mode before 1.21) needs DJANGO_DB_SERVER_SIDE_BINDING=false.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DJANGO_DB_SERVER_SIDE_BINDING", default=True
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Two sites sharing one Redis give theirs different prefixes.
            "KEY_PREFIX": env.str("HUAGU_CACHE_PREFIX", default="huagu"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole public pages for anonymous visitors (tourism/whole_page_cache.py): kept this long in
# the shared cache at most (edits show at once; figures from the farm's records may lag this
# long; 0 switches whole pages off), and this long by a browser or a CDN before it asks again
# with its ETag.
PAGE_CACHE_WHOLE_SECONDS = env.int("PAGE_CACHE_WHOLE_SECONDS", default=300)
PAGE_CACHE_BROWSER_SECONDS = env.int("PAGE_CACHE_BROWSER_SECONDS", default=60)

# The task queue (Celery; core/tasks.py). Results are not kept: a task's effect is in the
# database, and a failure is logged, counted (core/metrics) and retried.
CELERY_BROKER_URL = TASKS_BROKER_URL or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    tasks_folder = BASE_DIR / ".tasks"
    (tasks_folder / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tasks_folder),
        "data_folder_out": str(tasks_folder),
        "control_folder": str(tasks_folder / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = TASKS_QUEUE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it ends, so a worker killed mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".tasks-beat-schedule")
# Periodic jobs, run by the queue's scheduler (`celery -A config beat`, one per site).
CELERY_BEAT_SCHEDULE = {
    "expire-holds": {"task": "tourism.tasks.expire_holds", "schedule": 60.0},
    "release-no-shows": {"task": "tourism.tasks.release_no_shows", "schedule": 300.0},
    "erase-visitor-ids": {
        "task": "tourism.tasks.erase_visitor_ids",
        "schedule": crontab(hour=2, minute=30),
    },
    "reconcile-payments": {
        "task": "tourism.tasks.reconcile_payments",
        "schedule": crontab(hour=10, minute=30),
    },
    "backup-daily": {"task": "core.tasks.backup_daily", "schedule": crontab(hour=3, minute=15)},
    "export-jobs-clean": {
        "task": "core.tasks.export_jobs_clean",
        "schedule": crontab(hour=3, minute=45),
    },
    "survival-checks-due": {
        "task": "nursery.tasks.survival_checks_due_notice",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# Axes first: it refuses a locked account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Failed sign-ins are counted in the database, which every worker and host shares; an
# account and an address are each locked on their own (tourism/security/logins.py).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=axes_cooloff_minutes)
# The cool-off runs from the failure that locked; more tries while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Not a line in every command's output; lockouts are logged as warnings all the same.
AXES_VERBOSE = False
# The same client address as the API's rate limits: REMOTE_ADDR, never X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "tourism.security.logins.login_client_address"
AXES_LOCKOUT_CALLABLE = "tourism.security.logins.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

# Chinese first: zh-hans is served at "/", English at "/en/".
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The project's own catalog first; then Chinese for the admin strings that the installed
# admin's own Chinese catalog lacks (makemessages never writes there: no source lives in it).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "admin"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic gathers the static files that production serves.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

vars().update(env.email_url("EMAIL_URL", default=EMAIL_URL))

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "花谷 Huagu"
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
# Wagtail's sign-in form, with its password field labelled in the reader's language.
WAGTAILADMIN_USER_LOGIN_FORM = "core.login.SignInForm"
# The park's staff install no upgrades: the admin home does not ask for new releases.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "jpeg", "gif": "webp"}
# Every image form decodes the whole upload (a damaged file is a form error) and states the cap.
WAGTAILIMAGES_IMAGE_FORM_BASE = "tourism.images.ImageForm"
# Measured (benchmarks/image_memory.py): a rendition costs about 7.7 MiB per megapixel of the
# original, and a {% picture %} tag makes three at once, about 21 MiB per megapixel. At 16
# megapixels that is about 310 MiB a request: two requests rendering new pictures at once stay
# near 750 MiB with the worker's own 120 MiB, inside a 1-GiB worker. Larger is refused on upload.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 16_000_000
# A new image's most used renditions are made by the task worker (tourism/renditions.py).
IMAGES_RENDITIONS_ON_UPLOAD = env.bool("IMAGES_RENDITIONS_ON_UPLOAD", default=True)
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx"]
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No Gravatar: staff avatars would be fetched from a third party (and one that is slow or
# unreachable from mainland China) on every admin page.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # One line per request (core/logs.py): production turns it on.
    "loggers": {"huagu.requests": {"level": "WARNING"}},
}

# Content-Security-Policy (tourism/security/csp.py). Uploaded images may come from object
# storage on another origin. Stripe Checkout is a redirect after the booking form's POST,
# which form-action governs: the booking page adds the payment provider's origins.
if media_s3_custom_domain:
    media_origins = [f"https://{media_s3_custom_domain}"]
elif media_s3_endpoint:
    media_origins = [media_s3_endpoint.rstrip("/")]
elif media_s3_bucket:
    media_origins = [f"https://{media_s3_bucket}.s3.amazonaws.com"] + (
        [f"https://{media_s3_bucket}.s3.{media_s3_region}.amazonaws.com"] if media_s3_region else []
    )
else:
    media_origins = []
# A tile service's hosts, one per subdomain its URL template names.
map_tile_origins = sorted(
    {
        urlsplit(MAP_TILES_URL.replace("{s}", sub)).scheme
        + "://"
        + urlsplit(MAP_TILES_URL.replace("{s}", sub)).netloc
        for sub in (MAP_TILES_SUBDOMAINS or "a").split(",")
    }
    if MAP_TILES_URL
    else ()
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # QR codes and Swagger UI's icons are data: images.
        "img-src": [SELF, "data:", *media_origins, *map_tile_origins],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# The Wagtail admin writes inline styles and scripts of its own, previews pages in frames
# and shows embeds; it gets this policy (paths below) and the public site stays strict.
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *media_origins, *map_tile_origins],
        "font-src": [SELF, "data:"],
        # The dashboard's notice of a new Wagtail release.
        "connect-src": [SELF, "https://releases.wagtail.org"],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "frame-src": [SELF, "https:"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# Shown to tourists where the site names itself.
PARK_NAME = _("Dadi Flower Valley")
