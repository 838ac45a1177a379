"""What every app needs when it hands work to the Celery worker."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Work waiting longer than this is queued again by ``requeue_stale_work`` (README "Health and outages"). Well
#: above CELERY_VISIBILITY_TIMEOUT + the longest hard time limit: a message that is merely waiting for its
#: redelivery is normally done before; if not, the task's idempotency makes the second message a no-op.
STALE_AFTER_SECONDS = 30 * 60

#: name -> function(older_than_seconds) -> number of jobs queued again; apps register in AppConfig.ready()
_SWEEPERS: dict[str, Callable[[int], int]] = {}


class QueueUnavailable(Exception):
    """The task queue (Redis) did not accept the job. The service has withdrawn what it created for the job,
    so nothing waits forever as 'pending'; the view tells the user to try again later."""


def register_sweeper(name: str, sweeper: Callable[[int], int]) -> None:
    """``sweeper(older_than_seconds)`` queues again the app's jobs still pending after that long."""
    _SWEEPERS[name] = sweeper


def requeue_stale_work(older_than_seconds: int = STALE_AFTER_SECONDS) -> dict[str, int]:
    """Queue again what waits too long: a message Redis lost (stopped before it wrote the message to disk)
    or that was never published (the web process died between commit and publish). Tasks are idempotent
    by their row's status, so a job queued twice is done once."""
    counts = {}
    for name, sweeper in sorted(_SWEEPERS.items()):
        counts[name] = sweeper(older_than_seconds)
        if counts[name]:
            logger.warning("Queued %s stale %s job(s) again", counts[name], name)
    return counts
