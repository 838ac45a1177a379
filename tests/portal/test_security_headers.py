"""Security headers (issue #10): CSP without inline code, Permissions-Policy, no caching of personal data.

The walk over every URL and role is in tests/test_role_matrix.py (tests/headers.py); here are the cases a
person would notice one by one: the IBAN page and the payment export are never stored, downloads are
sandboxed, static files stay cacheable, and no template carries inline code the policy would block.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories as f
from tests.auth import reauthenticate
from tests.headers import assert_security_headers, csp_directives

BASE_DIR = Path(settings.BASE_DIR)
FULL_IBAN = "DE89 3704 0044 0532 0130 00"


def _cache_control(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",")}


def test_the_lotse_page_with_the_full_iban_is_never_stored(coordinator_client, world):
    reauthenticate(coordinator_client)  # the full IBAN needs a fresh login
    response = coordinator_client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    assert FULL_IBAN in response.content.decode()  # the OWL coordinator pays: the page shows the full IBAN
    assert {"no-store", "private"} <= _cache_control(response)
    assert_security_headers(response, logged_in=True)


@pytest.mark.parametrize("name", ["claims:export_csv", "claims:export_xlsx"])
def test_the_payment_export_is_never_stored_and_is_sandboxed(coordinator_client, world, name):
    reauthenticate(coordinator_client)  # an export with IBANs needs a fresh login
    response = coordinator_client.get(reverse(name))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert {"no-store", "private"} <= _cache_control(response)
    csp = csp_directives(response)
    assert csp["default-src"] == ["'none'"] and "sandbox" in csp
    assert_security_headers(response, logged_in=True)


def test_the_contract_download_keeps_its_strict_policy(coordinator_client, world):
    f.contract_with_document(world.contract)
    response = coordinator_client.get(reverse("lotsen:contract_document", args=[world.contract.pk]))
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["default-src"] == ["'none'"] and "sandbox" in csp  # as strict as before, and more
    assert {"no-store", "private"} <= _cache_control(response)
    assert_security_headers(response, logged_in=True)


def test_the_public_verification_page_with_a_name_is_not_stored_either(client, world):
    response = client.get(reverse("verify:code", args=[world.certificate.verification_code]))
    assert "no-store" in _cache_control(response)
    assert_security_headers(response, logged_in=False)


def test_the_site_policy_allows_only_own_scripts_and_styles(client):
    csp = csp_directives(client.get(reverse("account_login")))
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]


def test_passkeys_stay_allowed_for_our_own_origin(client):
    permissions = client.get(reverse("account_login"))["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in permissions
    assert "publickey-credentials-create=(self)" in permissions


def test_the_413_page_carries_the_headers_too(client, world):
    response = client.generic(
        "POST",
        reverse("verify:code", args=[world.certificate.verification_code]),
        b"",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413
    assert_security_headers(response, logged_in=False)


def test_static_files_stay_cacheable(client, settings):
    # WhiteNoise serves from the app folders here (as with DEBUG); in production from STATIC_ROOT.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get(settings.STATIC_URL + "js/portal.js")
    assert response.status_code == 200
    assert "no-store" not in _cache_control(response)


#: Templates rendered by WeasyPrint into PDFs, never by a browser: their <style> is not subject to a CSP.
PDF_TEMPLATES = {
    "certificates/templates/certificates/certificate.html",
    "reports/templates/reports/pdf/summary.html",
    "events/templates/events/badges.html",
    "billing/templates/billing/pdf/_style.html",
}
INLINE_CODE = [
    # A script with src= is a file; type="application/json" is data (json_script, allauth's passkey forms).
    (re.compile(r"<script(?![^>]*\s(?:src=|type=\"application/json\"))[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> block"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "hx-on (needs eval)"),
]


def test_no_template_carries_inline_code_the_policy_would_block():
    templates = [
        path
        for path in BASE_DIR.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "staticfiles" not in path.parts
    ]
    assert len(templates) > 20
    found = []
    for path in templates:
        relative = path.relative_to(BASE_DIR).as_posix()
        if relative in PDF_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE_CODE:
            if match := pattern.search(text):
                found.append(f"{relative}: {what} {match.group(0)!r}")
    assert not found, (
        "Blocked by the Content-Security-Policy; move it to static/js or static/css:\n" + "\n".join(found)
    )
