"""Oversized requests are refused from their Content-Length, before the body is read (issue #10)."""

import io

import pytest
from django.conf import settings
from django.urls import reverse

from allowances.models import Contract
from tests import factories as f

FORTY_MB = 40 * 1024 * 1024


class UnreadBody(io.BytesIO):
    """A request body that remembers whether anyone read from it."""

    def __init__(self):
        super().__init__(b"x" * 1024)
        self.was_read = False

    def read(self, *args):
        self.was_read = True
        return super().read(*args)

    def readline(self, *args):
        self.was_read = True
        return super().readline(*args)


def _post_declaring(client, url: str, length: int) -> tuple:
    body = UnreadBody()
    response = client.generic(
        "POST",
        url,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )
    return response, body


def test_a_40_mb_upload_to_the_public_verification_page_is_refused_unread(client, world):
    url = reverse("verify:code", args=[world.certificate.verification_code])

    response, body = _post_declaring(client, url, FORTY_MB)

    assert response.status_code == 413
    assert not body.was_read
    html = response.content.decode()
    assert "<h1>" in html and "5,0" in html  # the page names the limit (5 MB, German number format)


def test_a_40_mb_contract_upload_is_refused_unread_and_nothing_is_saved(coordinator_client, world):
    url = reverse("lotsen:contract_upload", args=[world.contract.pk])

    response, body = _post_declaring(coordinator_client, url, FORTY_MB)

    assert response.status_code == 413
    assert not body.was_read
    assert not Contract.objects.get(pk=world.contract.pk).signed_document


def test_a_request_just_over_the_limit_is_refused_and_one_at_the_limit_is_not(client, world):
    url = reverse("verify:code", args=[world.certificate.verification_code])
    assert _post_declaring(client, url, settings.MAX_REQUEST_BYTES + 1)[0].status_code == 413
    # At the limit the request reaches the view (whose form then finds no valid file in this dummy body).
    assert _post_declaring(client, url, settings.MAX_REQUEST_BYTES)[0].status_code != 413


def test_a_file_just_over_5_mb_still_gets_the_forms_own_message(coordinator_client, world):
    """Between the upload limit (5 MB) and the request limit (6 MB) the person sees the form's message."""
    too_big = f.pdf_upload(content=b"%PDF-1.7\n" + b"0" * settings.MAX_CONTRACT_UPLOAD_BYTES)

    response = coordinator_client.post(
        reverse("lotsen:contract_upload", args=[world.contract.pk]), {"document": too_big}
    )

    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    assert not Contract.objects.get(pk=world.contract.pk).signed_document


@pytest.mark.parametrize("value", ["", "abc", "-5"])
def test_a_missing_or_malformed_length_is_not_a_413(client, value):
    response = client.generic("POST", reverse("account_login"), b"", CONTENT_LENGTH=value)
    assert response.status_code != 413
