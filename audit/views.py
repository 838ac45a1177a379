"""The audit trail in the portal: programme staff search all of it, a coordinator their regions' entries
(``AuditEntry.objects.visible_to``); Lotsen get 403 here and see the entries about their bank data on their
profile. The export is itself an export of personal data and is recorded."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.filters import AuditFilter
from audit.models import AuditEntry
from audit.services import record_export
from portal.access import coordinators_only
from portal.exports import excel_csv, spreadsheet_text

PAGE_SIZE = 50


def _filtered(request) -> AuditFilter:
    entries = AuditEntry.objects.visible_to(request.user).select_related("actor", "region", "subject")
    return AuditFilter(request.GET, queryset=entries, request=request)


@coordinators_only
def entry_list(request):
    audit_filter = _filtered(request)
    page = Paginator(audit_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {"filter": audit_filter, "page_obj": page, "entries": page.object_list, "query": query.urlencode()},
    )


# Fixed German column names, like every export of the portal (the file goes to German Excel).
EXPORT_HEADERS = [
    "Zeitpunkt",
    "Person",
    "E-Mail",
    "Aktion",
    "Objekttyp",
    "Objekt-Nr.",
    "Region",
    "betrifft",
    "Details",
]


@coordinators_only
def entry_export_csv(request):
    entries = list(_filtered(request).qs)
    rows = [
        [
            f"{timezone.localtime(entry.at):%d.%m.%Y %H:%M:%S}",
            spreadsheet_text(entry.actor.name if entry.actor else ""),
            spreadsheet_text(entry.actor.email if entry.actor else ""),
            entry.get_action_display(),
            entry.target_type,
            entry.target_id,
            entry.region.name if entry.region else "",
            spreadsheet_text(entry.subject.full_name if entry.subject else ""),
            spreadsheet_text("; ".join(f"{key}: {text}" for key, text in entry.detail_items)),
        ]
        for entry in entries
    ]
    record_export(
        actor=request.user,
        export="audit_trail",
        file_format="csv",
        rows=len(rows),
        region_ids={entry.region_id for entry in entries} or set(request.user.coordinated_region_ids()),
    )
    response = HttpResponse(excel_csv(EXPORT_HEADERS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="protokoll-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
