"""Celery tasks of the certificates app: they take ids, load, and call a service.

acks_late + reject_on_worker_lost come from the settings (CELERY_TASK_*): a worker that dies mid-task leaves
the message unacknowledged and another worker renders the chunk again, which the service makes harmless.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from certificates import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_certificates(certificate_ids: list[int]) -> dict[str, int]:
    """Render a chunk of certificates (each its own PDF) and store them."""
    try:
        return services.render_and_store([int(pk) for pk in certificate_ids])
    except SoftTimeLimitExceeded:
        logger.warning("Rendering chunk of %s certificates hit the time limit", len(certificate_ids))
        services.mark_failed(certificate_ids)
        return {"issued": 0, "failed": len(certificate_ids)}
