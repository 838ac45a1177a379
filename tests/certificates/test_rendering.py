"""The renderer and the rendering service: no network, idempotent reruns, one file per certificate."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from certificates import rendering, services
from certificates.models import Certificate
from certificates.selectors import certificate_contents
from tests import factories as f
from tests.certificates.conftest import attend

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://example.com/tracker.png">',
        '<img src="file:///etc/hostname">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    ],
)
def test_renderer_fetches_nothing_from_outside(world, markup):
    data = certificate_contents([world.certificate])[0]
    html = rendering.render_html([data], data.title).replace("</body>", markup + "</body>")
    with pytest.raises(FatalURLFetchingError):
        rendering._html(html).write_pdf(pdf_variant=rendering.PDF_VARIANT)


def test_batch_and_single_rendering_give_one_pdf_per_certificate(world, trained):
    certificates = [
        f.CertificateFactory(lotse=lotse, status="pending") for lotse in (trained.fatima, trained.natalya)
    ]
    data = certificate_contents(certificates)

    pdfs = rendering.render_certificates(data)

    assert len(pdfs) == 2
    for pdf, certificate in zip(pdfs, certificates, strict=True):
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert certificate.verification_code in text
        other = next(c for c in certificates if c != certificate)
        assert other.verification_code.encode() not in pdf


def _pending(lotse):
    return f.CertificateFactory(lotse=lotse, status=Certificate.Status.PENDING, issued_at=None)


def test_rerun_after_a_crash_finishes_and_overwrites(world, trained):
    certificate = _pending(trained.natalya)
    # A worker died after claiming the row: it is left 'rendering', without a file.
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.RENDERING)

    assert services.render_and_store([certificate.pk]) == {"issued": 1, "failed": 0}
    certificate.refresh_from_db()
    first_name = certificate.file.name

    # A duplicate delivery of the same task changes nothing.
    assert services.render_and_store([certificate.pk]) == {"issued": 0, "failed": 0}
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.file.name == first_name == f"certificates/{certificate.verification_code}.pdf"


def test_certificate_too_long_for_the_chunk_is_rendered_on_its_own(world, trained):
    year = timezone.localdate().year
    many = [
        f.EventFactory(
            region=world.owl,
            starts_at=timezone.make_aware(datetime.datetime(year, 1 + i % 11, 1 + i, 9)),
        )
        for i in range(16)
    ]
    attend(trained.partial, many)
    long_one, short_one = _pending(trained.partial), _pending(trained.natalya)

    assert services.render_and_store([long_one.pk, short_one.pk]) == {"issued": 2, "failed": 0}

    long_one.refresh_from_db()
    with long_one.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert text.count(f".{year}") >= 16
    assert long_one.verification_code in text


def test_a_batch_chunk_counts_in_the_reports_with_one_refresh(world, trained):
    """The chunk's certificates (two regions) are counted in the reports' rollups in its transaction, with
    one refresh that locks the region-months in ascending order (no deadlock with another chunk)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import MonthlyCount

    chunk = [_pending(trained.fatima), _pending(trained.natalya), _pending(world.lotse_siegen)]
    month = timezone.localdate().replace(day=1)
    counted = MonthlyCount.objects.filter(dimension=MonthlyCount.Dimension.CERTIFICATES, month=month)
    before = dict(counted.values_list("region_id", "n"))

    with CaptureQueriesContext(connection) as queries:
        assert services.render_and_store([c.pk for c in chunk]) == {"issued": 3, "failed": 0}

    locks = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "reports_rollupmonth"' in q["sql"]]
    assert len(locks) == 1
    after = dict(counted.values_list("region_id", "n"))
    assert after[world.owl.pk] - before.get(world.owl.pk, 0) == 2
    assert after[world.siegen.pk] - before.get(world.siegen.pk, 0) == 1
