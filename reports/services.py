"""Writes of the reports app: requesting a PDF summary and rendering it (called by the task)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from portal.queue import QueueUnavailable
from reports.forms import resolve_filters
from reports.models import ReportExport
from reports.privacy import NOTES
from reports.selectors import build_report

logger = logging.getLogger(__name__)

Status = ReportExport.Status
#: hard time limit of the rendering task (seconds); a "running" row older than this is taken again
TASK_TIME_LIMIT = 150


def _enqueue(export_id: int) -> None:
    from reports.tasks import render_report_pdf

    try:
        render_report_pdf.delay(export_id)
    except OperationalError as error:
        # No half-done request: without a queued task the row would wait forever.
        ReportExport.objects.filter(pk=export_id, status=Status.PENDING).delete()
        logger.warning("report export %s not queued: broker unavailable", export_id)
        raise QueueUnavailable from error


def requeue_stale(older_than_seconds: int) -> int:
    """Queue again the exports still waiting after that long (portal.queue.requeue_stale_work)."""
    from reports.tasks import render_report_pdf

    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        ReportExport.objects.filter(status=Status.PENDING, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for export_id in ids:
        render_report_pdf.delay(export_id)
    return len(ids)


def request_pdf(*, acting_user, params: dict) -> ReportExport:
    """Record the request and queue its rendering once the row is committed (the worker must find it)."""
    with transaction.atomic():
        export = ReportExport.objects.create(requested_by=acting_user, params=params)
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def claim_export(export_id: int) -> bool:
    """Take the export for rendering; False if another run has it or it is finished (idempotent task).

    A row left "running" by a worker that died is taken again after the task's hard time limit.
    """
    stale = timezone.now() - datetime.timedelta(seconds=TASK_TIME_LIMIT)
    return bool(
        ReportExport.objects.filter(pk=export_id)
        .filter(Q(status=Status.PENDING) | Q(status=Status.RUNNING, started_at__lt=stale))
        .update(status=Status.RUNNING, started_at=timezone.now())
    )


def summary_document(export: ReportExport):
    """The laid-out (WeasyPrint) programme summary for funders (A4, German), for the requester's scope."""
    from weasyprint import HTML

    from portal.pdf import FONTS_DIR, local_only_fetcher

    with translation.override("de"):
        form, period, regions, _valid = resolve_filters(export.requested_by, export.params)
        report = build_report(user=export.requested_by, regions=regions, period=period)
        html = render_to_string("reports/pdf/summary.html", pdf_context(report))
    # Nothing outside the bundled fonts and data: URIs is fetched, whatever ends up in the HTML.
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=local_only_fetcher()).render()


def render_pdf_bytes(export: ReportExport) -> bytes:
    """The one-page programme summary for funders as PDF."""
    return summary_document(export).write_pdf()


#: the columns of the overview that fit on the one-page summary
PDF_COLUMNS = ("consultations", "lotsen", "trainings", "training_hours", "certificates", "paid")


def pdf_context(report) -> dict:
    table = report.tables["regions"]
    picked = [index for index, column in enumerate(table.columns) if column.key in PDF_COLUMNS]

    def cells(row):
        return [(row.values[i], table.columns[i].kind) for i in picked]

    def totals_of(key):
        other = report.tables[key]
        final = other.all_rows[-1]
        return [
            (column.label, value) for column, value in zip(other.columns[:-1], final.values, strict=False)
        ]

    return {
        "report": report,
        "programme_name": settings.PROGRAMME_NAME,
        "overview": {
            "title": table.title,
            "row_header": table.row_header,
            "headers": [table.columns[i].label for i in picked],
            "rows": [(row.label, cells(row)) for row in table.rows],
            "totals": (table.totals.label, cells(table.totals)) if table.totals else None,
        },
        "side_tables": [
            (report.tables["topics"].title, totals_of("topics")),
            (report.tables["modes"].title, totals_of("modes")),
            (report.tables["ages"].title, totals_of("ages")),
        ],
        "notes": NOTES,
    }


def render_export(*, export_id: int) -> None:
    if not claim_export(export_id):
        return
    export = ReportExport.objects.select_related("requested_by").get(pk=export_id)
    try:
        pdf = render_pdf_bytes(export)
    except Exception:
        ReportExport.objects.filter(pk=export_id).update(status=Status.FAILED, finished_at=timezone.now())
        logger.warning("report export %s failed", export_id, exc_info=True)
        return
    export.file.save("summary.pdf", ContentFile(pdf), save=False)
    export.status, export.finished_at = Status.DONE, timezone.now()
    export.save(update_fields=["file", "status", "finished_at"])
