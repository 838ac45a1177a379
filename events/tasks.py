"""Celery tasks of events: they take ids and call a service (see events.badges)."""

from celery import shared_task

from events import badges


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_badges(batch_id: int) -> str:
    """Render a batch of name badges into one PDF (idempotent: a finished batch is skipped)."""
    return badges.render_batch(int(batch_id))
