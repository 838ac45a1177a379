"""Celery tasks of the certificates app: they take ids, load, and call a service.

acks_late + reject_on_worker_lost (also the project defaults, CELERY_TASK_*) mean that a worker dying
mid-task leaves the message unacknowledged and another worker renders the chunk again; the service makes
that rerun harmless (see certificates.services.render_and_store).
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from certificates import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_certificates(self, certificate_ids: list[int]) -> dict[str, int]:
    """Render a chunk of certificates (each its own PDF file) and store them."""
    ids = [int(pk) for pk in certificate_ids]
    try:
        return services.render_and_store(ids)
    except OperationalError as exc:
        # The database went away for a moment: transient, try again a few times (bounded).
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
    except SoftTimeLimitExceeded:
        logger.warning("Rendering a chunk of %s certificates hit the time limit", len(ids))
        services.mark_failed(ids)
        return {"issued": 0, "failed": len(ids)}
