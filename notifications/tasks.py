"""The reminder schedules (CELERY_BEAT_SCHEDULE in portal/settings.py, README "Reminders").

Each task takes no arguments (the moment is the worker's clock) and is safe to run twice: every e-mail
claims its SentReminder row first (notifications/reminders.py)."""

from celery import shared_task

from notifications import reminders

LIMITS = {"acks_late": True, "reject_on_worker_lost": True, "soft_time_limit": 600, "time_limit": 660}


@shared_task(**LIMITS)
def event_reminders() -> int:
    """Hourly: registrants (Lotsen and confirmed guests) of events that start within the next 48 hours."""
    return reminders.send_event_reminders()


@shared_task(**LIMITS)
def coordinator_digest() -> int:
    """Mondays 07:00: each coordinator's digest, once per ISO week, only when there is something to report."""
    return reminders.send_coordinator_digests()


@shared_task(**LIMITS)
def claim_month_reminders() -> int:
    """Daily 08:00; acts on the first working day of a month only (notifications/workdays.py)."""
    return reminders.send_claim_month_reminders()
