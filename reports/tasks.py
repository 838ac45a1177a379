from celery import shared_task

from reports import services


@shared_task(
    acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=services.TASK_TIME_LIMIT
)
def render_report_pdf(export_id: int) -> None:
    """Render a PDF summary. Takes an id; safe to run twice (the row is claimed with a conditional UPDATE)."""
    services.render_export(export_id=export_id)
