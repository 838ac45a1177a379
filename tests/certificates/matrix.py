"""Role matrix of the certificates app and the public verification page (see tests/matrix.py).

Lotse A owns world.certificate (issued, OWL). Lotse B (OWL) must not see it, the OWL coordinator may issue,
revoke and download, the Siegen coordinator gets 404, staff everything.
"""

from certificates.models import Certificate
from tests.certificates.helpers import batch_for, issued_with_file
from tests.matrix import (
    ANY_USER,
    CO,
    COORDINATORS_ONLY,
    OWN_RECORD,
    PUBLIC,
    REGION_RECORD,
    ST,
    Case,
    expect,
)

#: A write on a Lotse A record: Lotse A sees it but may not change it (403), others of another scope 404,
#: the coordinator and staff are redirected after the change.
WRITE_OWN_RECORD = expect(lotse_a=403, lotse_b=404, coordinator=302, other_coordinator=404, staff=302)

CASES = [
    Case("certificates:list", ANY_USER),
    Case("certificates:list", ANY_USER, query="?status=issued&programme_year=2026&sort=-created"),
    Case("certificates:detail", OWN_RECORD, kwargs=lambda w: {"pk": w.certificate.pk}),
    Case("certificates:download", OWN_RECORD, kwargs=lambda w: {"pk": issued_with_file(w.certificate).pk}),
    Case(
        "certificates:revoke",
        WRITE_OWN_RECORD,
        kwargs=lambda w: {"pk": w.certificate.pk},
        method="post",
        data=lambda w: {"reason": "Falscher Name"},
        wrote=lambda w: Certificate.objects.get(pk=w.certificate.pk).status == "revoked",
        writers=frozenset({CO, ST}),
    ),
    Case(
        "certificates:reissue",
        WRITE_OWN_RECORD,
        kwargs=lambda w: {"pk": w.certificate.pk},
        method="post",
        data=lambda w: {"reason": "Neue Treffen nachgetragen"},
        # revoked and a new version pending (the worker is told after the commit)
        wrote=lambda w: Certificate.objects.filter(lotse=w.lotse_a).count() == 2,
        writers=frozenset({CO, ST}),
    ),
    Case(
        "certificates:issue_for_lotse",
        WRITE_OWN_RECORD,
        kwargs=lambda w: {"lotse_pk": w.lotse_a.pk},
        method="post",
        data=lambda w: {},
    ),
    Case("certificates:batch_create", COORDINATORS_ONLY),
    Case(
        "certificates:batch_create",
        # The Siegen coordinator cannot choose OWL: the form answers with an error (200), nothing issued.
        expect(lotse_a=403, lotse_b=403, coordinator=200, other_coordinator=200, staff=200),
        method="post",
        data=lambda w: {"region": w.owl.pk, "programme_year": ""},
    ),
    Case("certificates:batch_detail", REGION_RECORD, kwargs=lambda w: {"pk": batch_for(w).pk}),
    Case(
        "certificates:batch_zip",
        REGION_RECORD,
        kwargs=lambda w: {"pk": batch_for(w, with_file=True).pk},
    ),
    Case("verify:lookup", PUBLIC),
    Case(
        "verify:lookup",
        expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
        query="?code=ABCDEFGHJK",
        login_redirect=False,
    ),
    Case("verify:code", PUBLIC, kwargs=lambda w: {"code": w.certificate.verification_code}),
    Case(
        "verify:code",
        PUBLIC,
        kwargs=lambda w: {"code": issued_with_file(w.certificate).verification_code},
        method="post",
        data=lambda w: {"file": _upload()},
    ),
]


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.pdf", b"%PDF-1.7 not the issued file", content_type="application/pdf")
