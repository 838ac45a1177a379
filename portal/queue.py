"""What every app needs when it hands work to the Celery worker."""


class QueueUnavailable(Exception):
    """The task queue (Redis) did not accept the job. The service has withdrawn what it created for the job,
    so nothing waits forever as 'pending'; the view tells the user to try again later."""
