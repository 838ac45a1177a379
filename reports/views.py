import dataclasses

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import require_coordination
from portal.queue import QueueUnavailable
from reports import charts, exports, services
from reports.forms import report_params, resolve_filters
from reports.models import ReportExport
from reports.privacy import NOTES
from reports.selectors import build_report

EXPORT_TABLES = ("regions", "topics", "languages", "modes", "referrals", "ages", "trend")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _report_for(request, *, warn: bool = True):
    form, period, regions, valid = resolve_filters(request.user, request.GET)
    if not valid and warn:
        messages.warning(
            request, _("The filters could not be used; the report shows this year for all regions.")
        )
    return form, build_report(user=request.user, regions=regions, period=period)


def _until_this_month(trend):
    """The month-by-month table without the months still to come: a chart of this year ends with the current
    month instead of falling to zero (and the active Lotsen staying flat) in the months ahead."""
    this_month = timezone.localdate().replace(day=1)
    return dataclasses.replace(trend, rows=[row for row in trend.rows if row.date and row.date <= this_month])


def report_index(request):
    # Programme staff see all regions, coordinators their own; Lotsen and others never see reports.
    require_coordination(request.user)
    form, report = _report_for(request)
    trend, topics = _until_this_month(report.tables["trend"]), report.tables["topics"]
    topic_totals = topics.all_rows[-1].values[:-1]
    context = {
        "form": form,
        "report": report,
        "tables": [report.tables[key] for key in EXPORT_TABLES if key != "trend"],
        "trend": trend,
        "topic_rows": list(zip([c.label for c in topics.columns[:-1]], topic_totals, strict=True)),
        "query": request.GET.urlencode(),
        "notes": NOTES,
        "chart_consultations": charts.column_chart(
            chart_id="chart-consultations",
            title=_("Consultations per month"),
            description=_("Column chart; the numbers are in the table next to it."),
            labels=[f"{row.date:%m/%y}" for row in trend.rows],
            values=[row.values[0] for row in trend.rows],
        ),
        "chart_lotsen": charts.column_chart(
            chart_id="chart-lotsen",
            title=_("Active Lotsen per month"),
            description=_("Column chart; the numbers are in the table next to it."),
            labels=[f"{row.date:%m/%y}" for row in trend.rows],
            values=[row.values[1] for row in trend.rows],
        ),
        "chart_topics": charts.bar_chart(
            chart_id="chart-topics",
            title=_("Consultations by topic"),
            description=_("Bar chart; a consultation can have several topics. The numbers are in the table."),
            labels=[c.label for c in topics.columns[:-1]],
            values=topic_totals,
        ),
    }
    return render(request, "reports/index.html", context)


def report_export(request, table: str, fmt: str):
    """One table of the report as CSV or XLSX, with the same filters and the same protection as the screen."""
    require_coordination(request.user)
    if table not in EXPORT_TABLES or fmt not in CONTENT_TYPES:
        raise Http404
    with translation.override("de"):  # German headers whatever the UI language
        _form, report = _report_for(request, warn=False)
        chosen = _until_this_month(report.tables[table]) if table == "trend" else report.tables[table]
        data = (exports.table_csv if fmt == "csv" else exports.table_xlsx)(report, chosen)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    filename = f"lotsenportal-{table}-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def pdf_request(request):
    require_coordination(request.user)
    form, _period, _regions, valid = resolve_filters(request.user, request.POST)
    if not valid:
        messages.error(request, _("The filters could not be used; please check them."))
        return redirect("reports:index")
    try:
        export = services.request_pdf(acting_user=request.user, params=report_params(form))
    except QueueUnavailable:
        messages.error(
            request,
            _(
                "The PDF cannot be prepared right now because the background service is unavailable. "
                "Nothing was saved; please try again in a few minutes."
            ),
        )
        return redirect(f"{reverse('reports:index')}?{request.POST.urlencode()}")
    return redirect("reports:pdf_status", pk=export.pk)


def pdf_status(request, pk: int):
    require_coordination(request.user)
    export = get_object_or_404(ReportExport.objects.visible_to(request.user), pk=pk)
    template = "reports/pdf_status.html#status" if request.htmx else "reports/pdf_status.html"
    return render(request, template, {"export": export})


def pdf_download(request, pk: int):
    require_coordination(request.user)
    export = get_object_or_404(
        ReportExport.objects.visible_to(request.user).filter(status=ReportExport.Status.DONE), pk=pk
    )
    if not export.file:
        raise Http404
    filename = f"lotsenportal-programmbericht-{export.created_at:%Y%m%d}.pdf"
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
