"""Settings for the test suite.

With CI=true the suite runs against the real PostgreSQL and Redis on localhost (and fails at start if they
are missing, see tests/conftest.py). Locally it uses DATABASE_URL / REDIS_URL when set and falls back to
SQLite and an in-process cache otherwise; tests that need Redis are then skipped.
"""

import os

if os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lotsenportal")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["DJANGO_ENV"] = "test"
# The suite decides per test whether a real worker runs; by default tasks run in-process.
os.environ.setdefault("CELERY_BROKER_URL", "")

from portal.settings import *  # noqa: E402, F403
from portal.settings import DATABASES, REDIS_URL  # noqa: E402

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
USES_REDIS = bool(REDIS_URL)
if USES_REDIS:
    # Each test starts with an empty cache (see conftest); keep test keys apart from a developer's data.
    CACHES["default"]["KEY_PREFIX"] = "test"  # noqa: F405
