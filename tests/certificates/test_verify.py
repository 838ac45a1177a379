"""The public verification page: valid, revoked, unknown codes, file check and rate limit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certificates.models import Certificate
from tests import factories as f
from tests.certificates.helpers import issued_with_file, tiny_pdf

pytestmark = pytest.mark.django_db


def _verify(client, code, **kwargs):
    return client.get(reverse("verify:code", args=[code]), **kwargs)


def test_valid_certificate_shows_holder_programme_region_and_date_only(client, world):
    response = _verify(client, world.certificate.verification_code)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid"' in html
    assert "Ayşe Güllüoğlu" in html
    assert "Ostwestfalen-Lippe" in html
    assert "Interkulturelle Arbeitsmarktlotsen NRW" in html
    assert world.certificate.issue_date.strftime("%d.%m.%Y") in html
    # Nothing more: no contact data, no organisation, no other records.
    for private in [world.lotse_a.user.email, world.lotse_a.iban, world.organisation.name, world.event.title]:
        assert private not in html


def test_code_is_case_insensitive(client, world):
    assert _verify(client, world.certificate.verification_code.lower()).status_code == 200


def test_revoked_certificate_says_revoked(client, world, coordinator_client):
    coordinator_client.post(reverse("certificates:revoke", args=[world.certificate.pk]), {"reason": "Irrtum"})

    response = _verify(Client(), world.certificate.verification_code)

    assert response.status_code == 200
    assert 'data-status="revoked"' in response.content.decode()
    assert "Irrtum" not in response.content.decode()


def test_unknown_code_is_404(client, world):
    assert _verify(client, "ZZZZZZZZZZ").status_code == 404


def test_unknown_code_says_so_and_offers_the_form_again(client, world):
    response = _verify(client, "zzzzzzzzzz")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-status="unknown"' in html
    assert 'name="code"' in html and 'value="ZZZZZZZZZZ"' in html


def test_verify_page_names_the_programme_year(client, world):
    html = _verify(client, world.certificate.verification_code).content.decode()
    assert str(world.certificate.programme_year) in html


@pytest.mark.parametrize("status", ["pending", "rendering", "failed"])
def test_code_of_a_certificate_never_handed_out_is_404(client, world, status):
    certificate = f.CertificateFactory(lotse=world.lotse_b, status=status)
    assert _verify(client, certificate.verification_code).status_code == 404


def test_lookup_form_leads_to_the_page(client, world):
    response = client.get(reverse("verify:lookup"), {"code": world.certificate.verification_code.lower()})
    assert response["Location"] == reverse("verify:code", args=[world.certificate.verification_code])


def test_lookup_ignores_spaces_and_dashes_people_copy_with_the_code(client, world):
    code = world.certificate.verification_code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} "
    response = client.get(reverse("verify:lookup"), {"code": typed})
    assert response["Location"] == reverse("verify:code", args=[code])


def _upload(client, certificate, content: bytes):
    return client.post(
        reverse("verify:code", args=[certificate.verification_code]),
        {"file": SimpleUploadedFile("bescheinigung.pdf", content, content_type="application/pdf")},
    )


def test_uploaded_exact_file_matches(client, world):
    content = tiny_pdf()
    certificate = issued_with_file(world.certificate, content)

    response = _upload(client, certificate, content)

    assert 'data-result="matches"' in response.content.decode()


def test_uploaded_modified_file_does_not_match(client, world):
    content = tiny_pdf()
    certificate = issued_with_file(world.certificate, content)

    response = _upload(client, certificate, content.replace(b"/MediaBox", b"/MediaBox ", 1))

    assert 'data-result="mismatch"' in response.content.decode()
    assert 'data-result="matches"' not in response.content.decode()


def test_verify_page_is_rate_limited_per_ip(client, world, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 30
    code = world.certificate.verification_code
    statuses = [_verify(client, code).status_code for _ in range(30)]
    assert statuses == [200] * 30

    over = _verify(client, code)
    assert over.status_code == 429
    assert over["Retry-After"] == "60"
    # Guessing other codes counts against the same limit; another IP is not affected.
    assert _verify(client, "ZZZZZZZZZZ").status_code == 429
    assert _verify(client, code, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_revoked_status_on_detail_for_lotse(lotse_client, world):
    Certificate.objects.filter(pk=world.certificate.pk).update(status=Certificate.Status.REVOKED)
    response = lotse_client.get(reverse("certificates:list"))
    assert reverse("certificates:download", args=[world.certificate.pk]) not in response.content.decode()


def test_behind_the_proxy_the_verify_limit_counts_each_client(client, world, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 1
    code = world.certificate.verification_code
    proxy = "10.0.0.2"
    spoofed = [f"192.0.2.{i}, 203.0.113.66" for i in range(6)]
    statuses = [
        _verify(client, code, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=xff).status_code for xff in spoofed
    ]
    # A different made-up address on the left each time does not help the client ...
    assert statuses == [200] * 5 + [429]
    # ... and another person behind the same proxy is not affected.
    other = _verify(client, code, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 200
