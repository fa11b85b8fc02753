"""Settings for the Co-production Hub.

One file, read from environment variables. With nothing set it runs on a laptop:
SQLite, Celery tasks run in-process, emails print to the console. Set DEBUG=0 for
production; then SECRET_KEY and ALLOWED_HOSTS are required and the security settings
below switch on. See .env.example and the README for every variable.
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from coprod_hub.lib.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret(
    "SECRET_KEY", required=not DEBUG, default="local-development-only-not-secret"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "Co-production Hub")
COUNCIL_NAME = env_str("COUNCIL_NAME", "Anytown Council")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "coproduction@anytown.example")
SUPPORT_PHONE = env_str("SUPPORT_PHONE", "01632 960 000")
# Whose bank holidays are not working days (coprod_hub/lib/working_days.py): England "ENG",
# Wales "WLS", Scotland "SCT" or Northern Ireland "NIR". England and Wales share theirs.
BANK_HOLIDAYS_NATION = env_choice("BANK_HOLIDAYS_NATION", "ENG", ("ENG", "WLS", "SCT", "NIR"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_forms_gds",
    "django_celery_beat",
    "auditlog",
    "coprod_hub",
    "coprod_hub.users",
    "projects",
    "participation",
    "payments",
    "learning",
    "notifications",
    "insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses pages on the way out (a 55 KB directory page becomes about 7 KB). Django adds
    # random bytes to each gzip header, and masks CSRF tokens, against BREACH-style attacks.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body (sessions, CSRF): see the middleware.
    "coprod_hub.middleware.RequestTooLargeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "coprod_hub.middleware.DatabaseUnavailableMiddleware",
    "coprod_hub.middleware.AdminBadAddressMiddleware",
]

ROOT_URLCONF = "coprod_hub.urls"
WSGI_APPLICATION = "coprod_hub.wsgi.application"

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
                "coprod_hub.context_processors.site",
            ],
        },
    }
]

# Database: SQLite on a laptop, PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    }
    # The directory's index carries the project as an extra column for PostgreSQL; SQLite
    # builds the index without it, which is all a laptop needs. Said once here, not on
    # every start of `make run`.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis backs the cache (rate limits) and Celery when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to "no cache" while Redis is down instead of failing every sign-in.
            "BACKEND": "coprod_hub.lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hub",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are read from Redis and written through to the database, which keeps them
    # when Redis restarts: one query less on every signed-in page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long a shared copy of a public page (or a page part) is kept at most; any change it
# shows replaces it at once (coprod_hub/lib/page_cache.py). 0 turns the copies off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
# Names the code running, to keep copies of pages made by one release from another
# (lib/page_cache.py). Optional: without it the hub works it out from its own files.
RELEASE = env_str("RELEASE", "")

# How long a signed-in person's account is kept in the cache between their requests; any
# change to them replaces it at once (coprod_hub/users/kept_people.py). 0 turns it off. Off
# without Redis: a cache each process keeps to itself never hears of a change made in another,
# and a role taken away must count everywhere at once.
SIGNED_IN_PERSON_CACHE_SECONDS = env_int("SIGNED_IN_PERSON_CACHE_SECONDS", 300 if REDIS_URL else 0)

# How long the insight dashboard's figures are kept before they are worked out again; the
# page says when they were worked out (insight/dashboard/page.py). 0 works them out every time.
INSIGHT_CACHE_SECONDS = env_int("INSIGHT_CACHE_SECONDS", 600)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "max_retries": 1}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, loading the person's roles with them (users/backends.py).
    "coprod_hub.users.backends.ModelBackend",
    "coprod_hub.users.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, and people must confirm it.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming from the browser that signed up (allauth checks the session) signs the person
# in, so they do not land on "Sign in" with nothing filled in a minute after signing up.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{SITE_NAME}: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "coprod_hub.users.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "coprod_hub.users.forms.SignupForm",
    "login": "coprod_hub.users.forms.LoginForm",
    "reset_password": "coprod_hub.users.forms.ResetPasswordForm",
    "reset_password_from_key": "coprod_hub.users.forms.ResetPasswordKeyForm",
    "change_password": "coprod_hub.users.forms.ChangePasswordForm",
    "add_email": "coprod_hub.users.forms.AddEmailForm",
}
# Limits are counted in the cache (Redis in production, shared by every web container), per
# visitor address: behind TRUSTED_PROXY_COUNT proxies it is read from X-Forwarded-For
# (coprod_hub/lib/client_ip.py). 0 (the default when not behind a TLS proxy) uses the
# address of the connection itself.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if not DEBUG and env_bool("BEHIND_TLS_PROXY", True) else 0
)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_IP_META_KEY = "coprod_hub.lib.client_ip.client_ip"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_email": "5/m/user",
    # Passwords typed again by someone signed in (deleting their account).
    "reauthenticate": "5/5m/user",
}

# Form widgets render through the site's template settings, so widget templates in
# templates/ (e.g. the "£" input) are found like any other template.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# crispy-forms-gds gives text, email and password boxes the GOV.UK input style, but not
# number, web address or date boxes, which then had the browser's own look and focus ring.
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input",
    "urlinput": "govuk-input",
    "dateinput": "govuk-input",
    "timeinput": "govuk-input",
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# The hub's own words for Django's form errors (locale/en_GB/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# "frontend/dist" holds what `npm run build` makes: the hub's CSS (GOV.UK Frontend compiled
# without the GOV.UK font) and GOV.UK Frontend's JavaScript.
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "frontend" / "dist"]
# Uploaded files (receipts) are private: never under STATIC or a public MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("STATIC_USE_FINDERS", DEBUG)
WHITENOISE_MAX_AGE = 3600

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", required=False, default="")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@anytown.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. CSP allows no inline style and one inline script: the base template's
# line that tells GOV.UK Frontend's CSS that JavaScript runs. It is allowed by its hash, not
# a per-request nonce, so the same page can be served from a cached copy.
JS_ENABLED_SCRIPT = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)
_js_enabled_digest = hashlib.sha256(JS_ENABLED_SCRIPT.encode()).digest()
JS_ENABLED_SCRIPT_HASH = f"'sha256-{base64.b64encode(_js_enabled_digest).decode()}'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, JS_ENABLED_SCRIPT_HASH],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A form that fails the CSRF check gets a page in plain English (see the view).
CSRF_FAILURE_VIEW = "coprod_hub.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * 60 * 8
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    if env_bool("BEHIND_TLS_PROXY", True):
        # The load balancer terminates TLS and says so in this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

ACCOUNT_SIGNUP_OPEN = env_bool("ACCOUNT_SIGNUP_OPEN", True)

# GOV.UK Notify (optional): email and text messages through Notify when the key is set.
# The templates in Notify take ((subject)) and ((body)) for email, ((body)) for text messages.
NOTIFY_API_KEY = env_secret("NOTIFY_API_KEY", required=False, default="")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID", "")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID", "")
# Notify's id for the reply-to address set up there (the support inbox); empty: its default.
NOTIFY_REPLY_TO_ID = env_str("NOTIFY_REPLY_TO_ID", "")

# Periodic tasks. django-celery-beat copies these into its database schedule on start-up,
# where admins can see and pause them.
CELERY_BEAT_SCHEDULE = {
    "send-due-messages": {"task": "notifications.tasks.send_due_messages", "schedule": 60.0},
    "send-due-reminders": {
        "task": "notifications.tasks.send_due_reminders",
        "schedule": 15 * 60.0,
    },
    "send-new-opportunity-alerts": {
        "task": "notifications.tasks.send_new_opportunity_alerts",
        "schedule": 15 * 60.0,
    },
    "resume-broadcasts": {"task": "notifications.tasks.resume_broadcasts", "schedule": 300.0},
    "prompt-for-overdue-updates": {
        "task": "notifications.tasks.prompt_for_overdue_updates",
        "schedule": crontab(minute=0, hour=10),
    },
    # Staff prompts go out on weekdays; their tasks also skip bank holidays and closure days,
    # which a crontab cannot know (notifications/tasks.py).
    "prompt-moderators": {
        "task": "notifications.tasks.prompt_moderators",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon-fri"),
    },
    "prompt-for-registers": {
        "task": "notifications.tasks.prompt_for_registers",
        "schedule": crontab(minute=30, hour=9),
    },
    "prompt-commissioners-about-claims": {
        "task": "notifications.tasks.prompt_commissioners_about_claims",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon-fri"),
    },
    # Hourly, not only at its time (Monday 9am): each run sends this week's digest to whoever
    # has not had it, so a Monday missed while beat or the worker was down is made up.
    "send-weekly-digests": {
        "task": "notifications.tasks.send_weekly_digests",
        "schedule": crontab(minute=0),
    },
}

# Audit trail (django-auditlog): which models are recorded is listed in coprod_hub/audit.py.
# IP addresses are not kept: the trail needs who and what, not where from.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_STORE_JSON_CHANGES = True

# Insight: invite people who attended to the outcome survey, catching any the attendance hook
# missed (see insight/tasks.py).
CELERY_BEAT_SCHEDULE["invite-to-surveys"] = {
    "task": "insight.tasks.invite_recent_attendees",
    "schedule": 60 * 60.0,
}

# Insight: work out the dashboard's default figures before each kept copy expires, so no one
# opening it waits about a second for them (insight/dashboard/page.py).
if INSIGHT_CACHE_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["insight-keep-dashboard-fresh"] = {
        "task": "insight.tasks.keep_dashboard_figures_fresh",
        "schedule": max(60.0, INSIGHT_CACHE_SECONDS - 60.0),
    }

# Payments: once a day, remove receipts uploaded on an expense form that was never finished
# (they are kept a day so people can come back to the form; see payments/tasks.py).
CELERY_BEAT_SCHEDULE["payments-delete-unused-receipts"] = {
    "task": "payments.tasks.delete_unused_receipts",
    "schedule": 24 * 60 * 60.0,
}
# Payments: every day at 10am, remind people of a claim we returned two or six weeks ago that
# they have not sent again (payments/reminders.py).
CELERY_BEAT_SCHEDULE["payments-remind-about-returned-claims"] = {
    "task": "payments.tasks.remind_about_returned_claims",
    "schedule": crontab(minute=0, hour=10),
}
# Payments: every hour, tell the administrators of sent claims no commissioner may decide that
# they have not heard of: the check made after sending is lost if the process stops before it
# runs (payments/services/deciders.py).
CELERY_BEAT_SCHEDULE["payments-tell-of-claims-nobody-may-decide"] = {
    "task": "payments.tasks.tell_of_claims_nobody_may_decide",
    "schedule": crontab(minute=5),
}

# PostgreSQL's connection options (a DATABASE_URL may also name an SQLite file, which has
# none of these).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    # Benchmark (bench/): PostgreSQL's JIT compiler spent 1.3 to 1.6 s compiling the insight
    # dashboard's larger aggregate queries before running them (EXPLAIN ANALYZE on the large
    # data set, see bench/README.md); a web application's short queries never repay that.
    _pg_options["options"] = "-c jit=off"
    if env_bool("DB_PREPARED_STATEMENTS", True):
        # Values travel apart from the SQL, so PostgreSQL can keep the plan of a query run
        # again and again on a connection (loading who is signed in, say) instead of parsing
        # and planning it every time. Set DB_PREPARED_STATEMENTS=0 behind a connection
        # pooler in transaction mode (PgBouncer before 1.21), which cannot keep them.
        _pg_options.update(server_side_binding=True, prepare_threshold=2)

# Retention (coprod_hub/retention.py): every night, delete accounts never confirmed, blank the
# text of old messages, delete access needs told for sessions two weeks over, purge financial
# records kept for their full retention period, and delete expired sessions.
# Financial records (claims, ledger, receipts) are kept this many whole tax years.
FINANCIAL_RETENTION_YEARS = env_int("FINANCIAL_RETENTION_YEARS", 7)
CELERY_BEAT_SCHEDULE["retention-delete-unconfirmed-accounts"] = {
    "task": "coprod_hub.tasks.delete_unconfirmed_accounts",
    "schedule": crontab(minute=10, hour=3),
}
CELERY_BEAT_SCHEDULE["retention-blank-old-message-bodies"] = {
    "task": "coprod_hub.tasks.blank_old_message_bodies",
    "schedule": crontab(minute=20, hour=3),
}
CELERY_BEAT_SCHEDULE["retention-forget-session-access-needs"] = {
    "task": "coprod_hub.tasks.forget_session_access_needs",
    "schedule": crontab(minute=25, hour=3),
}
CELERY_BEAT_SCHEDULE["retention-purge-expired-financial-records"] = {
    "task": "coprod_hub.tasks.purge_expired_financial_records",
    "schedule": crontab(minute=30, hour=3),
}
CELERY_BEAT_SCHEDULE["retention-clear-expired-sessions"] = {
    "task": "coprod_hub.tasks.clear_expired_sessions",
    "schedule": crontab(minute=40, hour=3),
}
