from celery import shared_task

from portal import queue


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def requeue_stale_work() -> dict[str, int]:
    """Every 10 minutes (CELERY_BEAT_SCHEDULE): pending work whose message got lost is queued again."""
    return queue.requeue_stale_work()
