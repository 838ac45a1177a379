"""Role matrix of the reports app: staff and coordinators only; a PDF export only for the person who asked."""

from django.core.files.base import ContentFile

from tests.matrix import CO, COORDINATORS_ONLY, OC, ST, Case, expect

#: Lotsen are refused (403) before anything is looked up; staff and the other coordinator get 404 for the
#: OWL coordinator's export: it was rendered for the OWL coordinator's scope and is served only to them.
REQUESTER_ONLY = expect(lotse_a=403, lotse_b=403, other_coordinator=404, staff=404)
#: Requesting a PDF answers with a redirect to its status page.
REQUEST = expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=302, staff=302)


def _export(world, done: bool = False) -> dict:
    from reports.models import ReportExport

    export = ReportExport.objects.create(requested_by=world.coordinator, params={"period": "year"})
    if done:
        export.file.save("summary.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        export.status = ReportExport.Status.DONE
        export.save()
    return {"pk": export.pk}


def _exports_requested() -> int:
    from reports.models import ReportExport

    return ReportExport.objects.count()


CASES = [
    Case("reports:index", COORDINATORS_ONLY),
    Case("reports:index", COORDINATORS_ONLY, query="?period=month&year=2023&month=3"),
    Case("reports:export", COORDINATORS_ONLY, kwargs=lambda w: {"table": "regions", "fmt": "csv"}),
    Case("reports:export", COORDINATORS_ONLY, kwargs=lambda w: {"table": "trend", "fmt": "xlsx"}),
    Case("reports:export", COORDINATORS_ONLY, kwargs=lambda w: {"table": "ages", "fmt": "csv"}),
    Case(
        "reports:export",
        expect(lotse_a=403, lotse_b=403, coordinator=404, other_coordinator=404, staff=404),
        kwargs=lambda w: {"table": "nothing", "fmt": "csv"},
    ),
    Case(
        "reports:pdf_request",
        REQUEST,
        method="post",
        data=lambda w: {"period": "year"},
        wrote=lambda w: _exports_requested() == 1,
        writers=frozenset({CO, OC, ST}),
    ),
    Case("reports:pdf_status", REQUESTER_ONLY, kwargs=_export),
    Case("reports:pdf_download", REQUESTER_ONLY, kwargs=lambda w: _export(w, done=True)),
]
