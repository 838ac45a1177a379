from celery import shared_task

from lotsen.services import lotsen as services


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def disable_leaver_logins() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): switch off the logins of Lotsen whose leaving day has come.

    Takes no arguments; safe to run twice (each Lotse is claimed with a conditional UPDATE)."""
    return services.disable_leaver_logins()
