"""Settings for the Lotsenportal.

Everything comes from environment variables (see the configuration table in README.md).
The defaults are for a developer's laptop only: SQLite in the project folder, e-mail on the console and
Celery tasks executed in-process. ``DJANGO_ENV=production`` switches on the hardened section at the end,
which refuses to start without a strong SECRET_KEY and explicit ALLOWED_HOSTS.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.countries import country_names

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean strictly: a typo such as DEBUG=flase must not silently mean True or False."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off).")


# --------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be one of development, test, production.")
IS_PRODUCTION = DJANGO_ENV == "production"
CI = env_bool("CI", default=False)

_DEV_SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="" if IS_PRODUCTION else _DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION and DJANGO_ENV != "test")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Proxies in front of the portal that append the client's address to X-Forwarded-For (the TLS proxy: 1).
# 0 ignores the header; rate limits then count REMOTE_ADDR (portal/net.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Public base URL, used in e-mails and on certificates (QR codes point to /verify/<code>/).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --------------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_countries",
    "csp",
    "portal",
    "accounts",
    "regions",
    "organisations",
    "lotsen",
    "events",
    "allowances",
    "certificates",
    "reports",
    "audit",
    "privacy",
    "notifications",
    "billing",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files stay cacheable) and after CSP (downloads keep their sandbox policy).
    "portal.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # 413 for a body over MAX_REQUEST_BYTES, before anything reads it (nothing above reads the body).
    "portal.middleware.RequestSizeLimitMiddleware",
    # No page is public by accident: views opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Superusers, programme staff and paying coordinators reach nothing but the enrolment until MFA is set up.
    "accounts.middleware.MFAEnrolmentMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "portal.urls"
# Django's renderer, with selects written in Python (portal.forms.FormRenderer: filters of many Lotsen).
FORM_RENDERER = "portal.forms.FormRenderer"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------------------
# Database, cache, Celery
# --------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A stopped or restarting PostgreSQL is reported within seconds (the branded 503 page,
    # portal.views.server_error), not after the operating system's TCP timeout of minutes; with the health
    # checks above, a connection broken by a restart is replaced on the next request, without restarting
    # gunicorn.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Redis away: pages keep working, rate limits count per process for a while (portal/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # Per process only: good enough for one local runserver, not for production (checked below).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in-process so `make run` needs no server.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Berlin"
# Periodic tasks, run by `celery -A portal beat` (one beat process per installation).
CELERY_BEAT_SCHEDULE = {
    # Work whose message got lost (Redis stopped before writing it to disk) is queued again (portal/queue.py).
    "requeue-stale-work": {
        "task": "portal.tasks.requeue_stale_work",
        "schedule": crontab(minute="*/10"),
    },
    "disable-leaver-logins": {
        "task": "lotsen.tasks.disable_leaver_logins",
        "schedule": crontab(hour=0, minute=15),
    },
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # Reminders (README "Reminders"); each e-mail goes out once however often a task runs.
    "event-reminders": {
        "task": "notifications.tasks.event_reminders",
        "schedule": crontab(minute=5),
    },
    "coordinator-digest": {
        "task": "notifications.tasks.coordinator_digest",
        # hourly until noon on Mondays: a run that could not send is made good by the next (once per week)
        "schedule": crontab(day_of_week="mon", hour="7-12", minute=0),
    },
    "claim-month-reminders": {
        "task": "notifications.tasks.claim_month_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Billing (README "Billing runs and statements"); every task is idempotent.
    "start-due-billing-runs": {
        "task": "billing.tasks.start_due_billing_runs",
        "schedule": crontab(hour=7, minute=30),
    },
    "render-missing-statements": {
        "task": "billing.tasks.render_missing_statements",
        "schedule": crontab(hour=3, minute=15),
    },
    # daily in January: a run that could not finish is made good by the next (a rerun issues nothing new)
    "issue-year-end-statements": {
        "task": "billing.tasks.issue_year_end_statements",
        "schedule": crontab(month_of_year=1, day_of_month="5-31", hour=6, minute=0),
    },
}
# Fail fast in the web request when Redis is down instead of hanging for minutes.
# visibility_timeout: a message held by a SIGKILLed worker is handed out again after this many seconds
# (Redis's default is one hour); it must stay well above the hard time limit, or a slow task runs twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing in a web request: one retry, then QueueUnavailable (the services withdraw what they created).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The worker records a heartbeat this often (portal/health.py); the health check calls a worker lost when its
# last heartbeat is older than WORKER_HEARTBEAT_STALE_SECONDS.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", default=120)

# --------------------------------------------------------------------------------------------------
# Authentication (django-allauth, login by e-mail, no open sign-up)
# --------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # ModelBackend reading a session's user with their Lotse record (migration accounts 0003 moved the
    # sessions of the plain ModelBackend it replaced over to it).
    "accounts.backends.PortalBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A reset request for an unknown address gets the same answer on screen but no e-mail: the form must not
# become a way to send mail to arbitrary addresses.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # Repeated wrong passwords for one address (key) or from one IP get HTTP 429.
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="20/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Sensitive actions (full IBAN, paying, exports with bank details, changing bank data, granting rights) need a
# re-authentication younger than this many seconds (accounts.reauth); with MFA enrolled, by the second factor.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_TIMEOUT", default=300)

# Multi-factor authentication (allauth.mfa): TOTP with recovery codes, and WebAuthn security keys/passkeys as
# a second factor. MFA_REQUIRED makes it mandatory for superusers, programme staff and coordinators who handle
# payments (User.requires_mfa); off by default on a laptop so the demo logins work without a phone.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=IS_PRODUCTION)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkeys are a second factor after the password, not a password replacement (one login path to audit).
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs https, except on http://localhost during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG and not IS_PRODUCTION
MFA_TOTP_ISSUER = "Lotsenportal"
# Accept the code of the previous and the next 30 s as well (phone clocks drift); each code works once.
MFA_TOTP_TOLERANCE = 1
# Wrong codes count against ACCOUNT_RATE_LIMITS["login_failed"] (per user), like wrong passwords.

# A reset link is used within minutes of asking for it; an hour covers a slow mail server.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# An invitation waits for a volunteer who may read mail once a week (accounts/tokens.py).
INVITATION_TIMEOUT = env.int("INVITATION_TIMEOUT", default=7 * 24 * 3600)

AUTH_PASSWORD_VALIDATORS = [
    # The user model has no first/last name: compare with the login address and the name.
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --------------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lotsenportal <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --------------------------------------------------------------------------------------------------
# Internationalisation: German first, English complete
# --------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = IS_PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# English pages use British conventions: day before month, 24-hour clock (portal/formats/en/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
# Country names: German from Debian iso-codes (pycountry), codes as before (portal/countries.py).
COUNTRIES_OVERRIDE = country_names()
# An empty choice in a filter means "no restriction": "Alle", never django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
# A failed CSRF check (page open too long, cookies deleted) gets our page in the user's language.
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# --------------------------------------------------------------------------------------------------
# Static and uploaded files
# --------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (signed contracts, certificates) are never served as static files: views check scope.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MAX_CONTRACT_UPLOAD_BYTES = env.int("MAX_CONTRACT_UPLOAD_BYTES", default=5 * 1024 * 1024)
# The largest request body accepted at all (the largest legitimate one is a 5 MB upload plus the form):
# portal.middleware.RequestSizeLimitMiddleware answers 413 from the Content-Length header, before the body
# is read. The proxy in front (docker/nginx.conf, client_max_body_size) has the same limit.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=6 * 1024 * 1024)
if MAX_REQUEST_BYTES <= MAX_CONTRACT_UPLOAD_BYTES:
    raise ImproperlyConfigured("MAX_REQUEST_BYTES must be larger than MAX_CONTRACT_UPLOAD_BYTES.")
# An uploaded file above this size is streamed to a temporary file instead of being held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The form fields of a request without its files (no form of the portal comes near it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --------------------------------------------------------------------------------------------------
# Programme settings
# --------------------------------------------------------------------------------------------------
PROGRAMME_NAME = env.str("PROGRAMME_NAME", default="Interkulturelle Arbeitsmarktlotsen NRW")
# Training sessions a Lotse must have attended for a certificate, unless the region sets its own number.
CERTIFICATE_MIN_TRAININGS_DEFAULT = env.int("CERTIFICATE_MIN_TRAININGS_DEFAULT", default=3)
# Days during which a Lotse may still change a logged consultation; after that it is part of the reports.
CONSULTATION_EDIT_DAYS = 14
# Days a Lotse's payments wait after a change of IBAN or account holder, unless a second person who pays the
# region confirms the new bank details earlier (the bank's protection of a new payee).
BANK_DATA_HOLD_DAYS = env.int("BANK_DATA_HOLD_DAYS", default=7)
if BANK_DATA_HOLD_DAYS < 0:
    raise ImproperlyConfigured("BANK_DATA_HOLD_DAYS cannot be negative.")
# Plausibility flags on a claim's decision page (allowances/plausibility.py); they never block a decision.
# More consultations than this on one day are flagged...
CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY = env.int("CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY", default=8)
# ...and so are consultations logged more than this many days after the day they took place.
CLAIM_FLAG_LATE_ENTRY_DAYS = env.int("CLAIM_FLAG_LATE_ENTRY_DAYS", default=14)
if CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY < 1 or CLAIM_FLAG_LATE_ENTRY_DAYS < 0:
    raise ImproperlyConfigured(
        "CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY must be at least 1, CLAIM_FLAG_LATE_ENTRY_DAYS not negative."
    )


def env_euros(name: str, default: str) -> Decimal:
    """An amount in euros with at most two decimals, e.g. CONTRACT_MAX_HOURLY_RATE=25.50."""
    raw = env.str(name, default=default).strip()
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be an amount in euros such as 30.00.") from exc
    if (
        not amount.is_finite()
        or amount <= 0
        or amount > Decimal("99999.99")
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ImproperlyConfigured(f"{name} must be an amount in euros between 0.01 and 99999.99.")
    return amount


# The most a contract may give (allowances.rules.rate_limit); a region may set lower or higher limits
# (allowances.RegionAllowancePolicy in the admin). A contract above its limit is refused with the limit named.
# 30 € an hour is well above what programmes pay volunteers (10-20 €) yet far from a typo such as 250 €;
# 300 € a month is above the trainer allowance's monthly share (3.300 € a year / 12 = 275 €).
CONTRACT_MAX_HOURLY_RATE = env_euros("CONTRACT_MAX_HOURLY_RATE", "30.00")
CONTRACT_MAX_MONTHLY_RATE = env_euros("CONTRACT_MAX_MONTHLY_RATE", "300.00")
CONTRACT_MAX_PER_CONSULTATION_RATE = env_euros("CONTRACT_MAX_PER_CONSULTATION_RATE", "30.00")

# Retention (privacy/retention.py, README "Retention"): consultations are kept this many years after the end
# of their calendar year, then only as monthly counts; a leaver's personal data this many months after
# leaving; the audit trail and MFA reset records this many years after the end of the year; report PDFs days.
CONSULTATION_RETENTION_YEARS = env.int("CONSULTATION_RETENTION_YEARS", default=3)
LEAVER_RETENTION_MONTHS = env.int("LEAVER_RETENTION_MONTHS", default=6)
AUDIT_RETENTION_YEARS = env.int("AUDIT_RETENTION_YEARS", default=3)
REPORT_EXPORT_RETENTION_DAYS = env.int("REPORT_EXPORT_RETENTION_DAYS", default=7)
#: Days after a public event's end after which its guests' registrations are deleted.
GUEST_RETENTION_DAYS = env.int("GUEST_RETENTION_DAYS", default=30)
# Public guest registration (events.guests): registrations per client address and per e-mail address an hour.
GUEST_RATE_LIMIT_PER_IP = env.int("GUEST_RATE_LIMIT_PER_IP", default=20)
GUEST_RATE_LIMIT_PER_ADDRESS = env.int("GUEST_RATE_LIMIT_PER_ADDRESS", default=5)
#: Days a generated PDF of name badges (events.BadgeBatch) is kept.
BADGE_RETENTION_DAYS = env.int("BADGE_RETENTION_DAYS", default=7)

# --------------------------------------------------------------------------------------------------
# Logging: no personal data in logs (we log ids, never names, e-mails or form contents)
# --------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "strip_query_string": {"()": "portal.logging.StripQueryString"},
        # Reset keys, invitation tokens and verification codes in paths become "…" (portal/logging.py).
        "mask_tokens": {"()": "portal.logging.MaskTokens"},
        "database_outage": {"()": "portal.logging.DatabaseOutage"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]},
        "requests": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["strip_query_string", "mask_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The loggers that name request paths mask tokens themselves too, so the record is clean for every
        # handler (also one added later, e.g. an error tracker), not only for ours.
        # A 503 for a database that is away: one warning line, not a traceback per request.
        "django.request": {"filters": ["database_outage", "mask_tokens"]},
        # Request lines without their query strings (a search for a name must not be logged).
        "django.server": {
            "handlers": ["requests"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_tokens"],
        },
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --------------------------------------------------------------------------------------------------
# Security (always on) and production hardening
# --------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A login lasts a working day, not Django's two weeks (bank data; shared office computers).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images from our own
# origin only, so no inline <script>, no on…= attribute, no style= attribute and no <style> in templates
# (JavaScript lives in static/js/). Downloads get an even stricter sandbox policy
# (portal.middleware.DOWNLOAD_CSP).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page of the portal uses are switched off ([] = for nobody); WebAuthn (passkeys) is
# allowed for our own origin (portal.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "bluetooth": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

if IS_PRODUCTION:
    from portal.checks import validate_production_secret_key

    validate_production_secret_key(SECRET_KEY)
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off (DEBUG=0) in production.")
    if not REDIS_URL:
        raise ImproperlyConfigured("REDIS_URL must be set in production (rate limits need a shared cache).")
    if MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN:
        raise ImproperlyConfigured("WebAuthn over http is for development only.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
