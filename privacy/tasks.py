from celery import shared_task

from privacy import retention


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=1900)
def apply_retention() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): delete or anonymise what has passed its retention time.

    Takes no arguments; safe to run twice (what a rule removed is no longer due)."""
    return retention.apply_rules()
