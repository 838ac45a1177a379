"""Celery application. Settings are read from Django settings with the CELERY_ prefix."""

import logging
import os
import time

from celery import Celery, bootsteps
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

logger = logging.getLogger(__name__)

#: the header every published task carries, so the status page can tell how long a message has waited
ENQUEUED_AT_HEADER = "portal_enqueued_at"

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _stamp_enqueued_at(headers=None, **kwargs):
    """Every message carries the time it was published: the status page shows how long the oldest waits."""
    if headers is not None:
        headers.setdefault(ENQUEUED_AT_HEADER, time.time())


def _beat() -> None:
    from portal.health import record_worker_heartbeat

    try:
        record_worker_heartbeat()
    except Exception:  # a heartbeat must never take the worker down; a missing one is the signal
        logger.warning("Worker heartbeat not recorded", exc_info=True)


class Heartbeat(bootsteps.StartStopStep):
    """The worker says it is alive every WORKER_HEARTBEAT_SECONDS (read by /healthz/ready/)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        _beat()
        self.timer_ref = worker.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, _beat)

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None


app.steps["worker"].add(Heartbeat)
