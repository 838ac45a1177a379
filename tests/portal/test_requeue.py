"""Work whose message got lost is queued again by the periodic sweep, and done once (portal/queue.py)."""

import datetime

from django.utils import timezone

from certificates.models import Certificate
from portal.queue import requeue_stale_work
from reports.models import ReportExport
from tests import factories as f


def _requested_long_ago(model, pk):
    model.objects.filter(pk=pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))


def test_a_lost_report_export_is_rendered_by_the_sweep(world):
    year = timezone.localdate().year
    export = ReportExport.objects.create(requested_by=world.staff, params={"period": "year", "year": year})
    fresh = ReportExport.objects.create(requested_by=world.staff, params={"period": "year", "year": year})
    _requested_long_ago(ReportExport, export.pk)
    counts = requeue_stale_work()
    export.refresh_from_db()
    fresh.refresh_from_db()
    assert counts["reports"] == 1
    assert export.status == ReportExport.Status.DONE and export.file
    assert fresh.status == ReportExport.Status.PENDING  # still within its time: not touched
    assert requeue_stale_work()["reports"] == 0  # done once, not again


def test_a_lost_certificate_is_rendered_by_the_sweep(world):
    certificate = f.CertificateFactory(lotse=world.lotse_b, status=Certificate.Status.PENDING, issued_at=None)
    _requested_long_ago(Certificate, certificate.pk)
    assert requeue_stale_work()["certificates"] == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED and certificate.sha256
    assert requeue_stale_work()["certificates"] == 0
