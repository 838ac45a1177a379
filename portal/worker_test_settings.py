"""Settings for the real Celery worker that the worker tests (tests/*/test_worker.py) start as a subprocess.

The test settings run tasks in-process; this module turns that off and points the worker at the broker,
the test database (DATABASE_URL naming test_<db>) and the media directory that the test passes in the
environment, so test and worker share one world.
"""

import os
from pathlib import Path

from portal.test_settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])
# The worker's e-mails go to files the test reads (tests/notifications/test_worker.py); locmem would keep them
# in the worker's memory.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    # A message taken by a worker that was killed is handed out again after 5 s (production: 1 h);
    # the new worker looks for such messages every second.
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
