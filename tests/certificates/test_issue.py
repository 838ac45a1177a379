"""Issuing certificates (one, or a batch) and what ends up in the PDF."""

import hashlib
import io
import unicodedata
import zipfile
from html.parser import HTMLParser

import pytest
import segno
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate, CertificateBatch
from certificates.selectors import eligible_lotsen
from lotsen.models import Lotse
from tests import factories as f
from tests.certificates.conftest import TOPICS, attend

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())


def _pdf(certificate) -> bytes:
    with certificate.file.open("rb") as handle:
        return handle.read()


def _issue_for(client, lotse, capture):
    with capture(execute=True):
        return client.post(reverse("certificates:issue_for_lotse", args=[lotse.pk]))


def test_issue_for_lotse_renders_a_pdf_with_name_sessions_hours_and_code(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    response = _issue_for(coordinator_client, trained.natalya, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(lotse=trained.natalya)
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:detail", args=[certificate.pk])
    assert certificate.status == Certificate.Status.ISSUED
    pdf = _pdf(certificate)
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    text = _text(pdf)
    assert "Наталья Смирнова" in text
    assert "Teilnahmebescheinigung" in text
    assert "Ostwestfalen-Lippe" in text
    for session, (topic, hours) in zip(trained.sessions, TOPICS, strict=True):
        assert f"{session.starts_at:%d.%m.%Y}" in text
        assert topic in text
        assert str(hours).replace(".", ",") in text
    assert "Gesamt 9,5" in text
    assert certificate.verification_code in text
    assert f"{settings.SITE_URL}/verify/{certificate.verification_code}/" in text
    assert "Dr. Erika Beispiel" in text and "Regionalagentur OWL" in text


def test_pdf_is_pdfa_with_title_and_language(coordinator_client, trained, django_capture_on_commit_callbacks):
    _issue_for(coordinator_client, trained.fatima, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(lotse=trained.fatima)
    reader = PdfReader(io.BytesIO(_pdf(certificate)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert reader.metadata.title == "Teilnahmebescheinigung – فاطمة الزهراء"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp
    # The Arabic name is in the text layer (letters survive extraction whatever the visual order).
    text = _text(_pdf(certificate))
    assert set("فاطمةالزهراء") <= set(text)
    assert world_organisation_name() in text


def world_organisation_name() -> str:
    return "Türkischer Elternverein Bielefeld e.V."


def test_qr_code_encodes_the_verify_url(coordinator_client, trained, django_capture_on_commit_callbacks):
    _issue_for(coordinator_client, trained.natalya, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(lotse=trained.natalya)
    url = f"{settings.SITE_URL}/verify/{certificate.verification_code}/"
    images = PdfReader(io.BytesIO(_pdf(certificate))).pages[0].images
    assert len(images) == 1
    bitmap = images[0].image.convert("L")
    expected = segno.make(url, error="m", micro=False).matrix
    assert bitmap.size == (len(expected), len(expected))
    pixels = bitmap.load()
    assert all(
        (pixels[x, y] < 128) == bool(dark) for y, row in enumerate(expected) for x, dark in enumerate(row)
    )


def test_not_eligible_lotse_gets_no_certificate(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    response = _issue_for(coordinator_client, trained.partial, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert not Certificate.objects.filter(lotse=trained.partial).exists()


def test_region_setting_lowers_the_requirement(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    trained.partial.region.min_trainings_for_certificate = 2
    trained.partial.region.save()

    _issue_for(coordinator_client, trained.partial, django_capture_on_commit_callbacks)

    assert Certificate.objects.get(lotse=trained.partial).status == Certificate.Status.ISSUED


def test_second_issue_is_refused_while_one_is_valid(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    _issue_for(coordinator_client, trained.natalya, django_capture_on_commit_callbacks)
    _issue_for(coordinator_client, trained.natalya, django_capture_on_commit_callbacks)

    assert Certificate.objects.filter(lotse=trained.natalya).count() == 1


def test_eligibility_is_one_query(world, trained, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(eligible_lotsen(Lotse.objects.all(), programme_year=trained.year))

    by_name = {row.last_name: row for row in rows}
    assert set(by_name) == {"الزهراء", "Смирнова"}
    assert by_name["Смирнова"].trainings_attended == 3
    assert by_name["Смирнова"].hours_attended == sum(h for _t, h in TOPICS)


def test_registered_or_other_years_do_not_count(world, trained):
    f.AttendanceFactory(event=trained.sessions[2], lotse=world.lotse_b, status="registered")
    attend(world.lotse_b, trained.sessions[:2])
    assert world.lotse_b not in eligible_lotsen(Lotse.objects.all(), programme_year=trained.year)
    assert not eligible_lotsen(Lotse.objects.all(), programme_year=trained.year - 1).exists()


# -- batches -------------------------------------------------------------------------------------------
def _batch(client, capture, **data):
    with capture(execute=True):
        return client.post(reverse("certificates:batch_create"), data)


def test_batch_for_region_issues_for_every_eligible_lotse(
    coordinator_client, world, trained, django_capture_on_commit_callbacks
):
    response = _batch(coordinator_client, django_capture_on_commit_callbacks, region=world.owl.pk)

    batch = CertificateBatch.objects.get()
    assert response["Location"] == reverse("certificates:batch_detail", args=[batch.pk])
    assert batch.total == 2
    assert {c.lotse for c in batch.certificates.all()} == {trained.fatima, trained.natalya}
    assert all(c.status == Certificate.Status.ISSUED for c in batch.certificates.all())
    # Lotse A already holds a valid certificate of the year: not issued twice.
    assert world.lotse_a.certificates.count() == 1

    # The progress partial (what htmx polls) shows the finished bar and the download links.
    page = coordinator_client.get(
        reverse("certificates:batch_detail", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    html = page.content.decode()
    assert '<progress id="batch-progress-bar" max="2" value="2">' in html
    assert "<html" not in html
    assert "hx-trigger" not in html  # finished: polling stops
    for certificate in batch.certificates.all():
        assert reverse("certificates:download", args=[certificate.pk]) in html
    assert reverse("certificates:batch_zip", args=[batch.pk]) in html

    archive = coordinator_client.get(reverse("certificates:batch_zip", args=[batch.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zipped:
        names = zipped.namelist()
        assert len(names) == 2
        for certificate in batch.certificates.all():
            (name,) = [n for n in names if certificate.verification_code in n]
            assert hashlib.sha256(zipped.read(name)).hexdigest() == certificate.sha256


def test_batch_progress_polls_while_rendering(coordinator_client, world, trained):
    batch = CertificateBatch.objects.create(region=world.owl, programme_year=trained.year, total=2)
    f.CertificateFactory(lotse=trained.fatima, batch=batch, status=Certificate.Status.ISSUED)
    f.CertificateFactory(lotse=trained.natalya, batch=batch, status=Certificate.Status.RENDERING)

    page = coordinator_client.get(
        reverse("certificates:batch_detail", args=[batch.pk]), headers={"HX-Request": "true"}
    )

    html = page.content.decode()
    assert '<progress id="batch-progress-bar" max="2" value="1">' in html
    assert 'hx-trigger="every 1s"' in html


def test_batch_for_event_issues_for_its_eligible_participants(
    coordinator_client, world, trained, django_capture_on_commit_callbacks
):
    closing = f.EventFactory(region=world.owl, kind="closing", title="Abschlussveranstaltung")
    f.AttendanceFactory(event=closing, lotse=trained.fatima)
    f.AttendanceFactory(event=closing, lotse=trained.partial)

    _batch(coordinator_client, django_capture_on_commit_callbacks, event=closing.pk)

    batch = CertificateBatch.objects.get()
    assert batch.event == closing
    assert [c.lotse for c in batch.certificates.all()] == [trained.fatima]


def test_batch_for_another_region_is_refused(
    other_coordinator_client, world, trained, django_capture_on_commit_callbacks
):
    response = _batch(other_coordinator_client, django_capture_on_commit_callbacks, region=world.owl.pk)

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Certificate.objects.filter(lotse__in=[trained.fatima, trained.natalya]).exists()


# -- revoke / re-issue ---------------------------------------------------------------------------------
def test_reissue_creates_a_new_version_and_revokes_the_old(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    _issue_for(coordinator_client, trained.natalya, django_capture_on_commit_callbacks)
    old = Certificate.objects.get(lotse=trained.natalya)

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            reverse("certificates:reissue", args=[old.pk]), {"reason": "Treffen nachgetragen"}
        )

    old.refresh_from_db()
    new = Certificate.objects.get(lotse=trained.natalya, version=2)
    assert old.status == Certificate.Status.REVOKED and old.revocation_reason == "Treffen nachgetragen"
    assert new.status == Certificate.Status.ISSUED
    assert new.verification_code != old.verification_code
    assert new.verification_code in _text(_pdf(new))


def test_revoke_requires_a_reason(coordinator_client, world):
    response = coordinator_client.post(
        reverse("certificates:revoke", args=[world.certificate.pk]), {"reason": " "}
    )

    assert response.status_code == 400
    world.certificate.refresh_from_db()
    assert world.certificate.status == Certificate.Status.ISSUED


def test_revoke_records_who_and_why(coordinator_client, world):
    coordinator_client.post(reverse("certificates:revoke", args=[world.certificate.pk]), {"reason": "Irrtum"})

    world.certificate.refresh_from_db()
    assert world.certificate.status == Certificate.Status.REVOKED
    assert world.certificate.revoked_by == world.coordinator
    assert world.certificate.revocation_reason == "Irrtum"


def test_batch_form_previews_everyone_with_their_count(
    coordinator_client, world, trained, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = coordinator_client.post(
            reverse("certificates:batch_create"),
            {"region": world.owl.pk, "preview": "1"},
            headers={"HX-Request": "true"},
        )

    html = response.content.decode()
    assert "<html" not in html
    assert "Наталья Смирнова" in html and "فاطمة الزهراء" in html
    assert "Weißmann" in html and 'data-count="2/3"' in html  # short of one session: listed, not issued
    assert not Certificate.objects.filter(lotse__in=[trained.fatima, trained.natalya]).exists()


def test_issue_returns_to_the_lotse_page_when_asked(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    back = reverse("lotsen:detail", args=[trained.natalya.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("certificates:issue_for_lotse", args=[trained.natalya.pk]), {"next": back}
        )
    assert response["Location"] == back
    assert Certificate.objects.get(lotse=trained.natalya).status == Certificate.Status.ISSUED


def test_issue_ignores_a_foreign_next(coordinator_client, trained, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("certificates:issue_for_lotse", args=[trained.natalya.pk]),
            {"next": "https://evil.example/"},
        )
    assert response["Location"].startswith("/certificates/")


class _Forms(HTMLParser):
    """The POST forms of a page: action -> {input name: value}."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self._current = self.forms.setdefault(attrs["action"], {})
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def test_lotse_page_issues_a_certificate_and_comes_back_with_its_download(
    coordinator_client, trained, django_capture_on_commit_callbacks
):
    page = reverse("lotsen:detail", args=[trained.natalya.pk])
    issue = reverse("certificates:issue_for_lotse", args=[trained.natalya.pk])
    parser = _Forms()
    parser.feed(coordinator_client.get(page).content.decode())
    assert issue in parser.forms, "the Lotse page has no issue-certificate form"
    fields = parser.forms[issue]
    assert fields["next"] == page
    assert fields["programme_year"] == str(trained.year)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(issue, fields)

    assert response.status_code == 302 and response["Location"] == page
    certificate = Certificate.objects.get(lotse=trained.natalya, programme_year=trained.year)
    assert certificate.status == Certificate.Status.ISSUED
    html = coordinator_client.get(page).content.decode()
    assert f'href="{reverse("certificates:download", args=[certificate.pk])}"' in html
